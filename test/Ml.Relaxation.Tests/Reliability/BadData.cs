using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.Data;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Tests.Conformance;

namespace Ml.Relaxation.Tests.Reliability;

/// <summary>One degenerate training set of the <see cref="BadData"/> matrix.</summary>
/// <param name="Name">What is wrong with it, e.g. <c>nan-feature</c>.</param>
/// <param name="Data">The data, with a <c>Features</c> column (known-size vector of Single) and, when a task was given, a <c>Label</c>.</param>
/// <param name="HasNonFiniteValues">Whether the data itself holds NaN or infinite features (outputs on it may then be non-finite).</param>
public sealed record BadDataCase(string Name, IDataView Data, bool HasNonFiniteValues)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// The bad-data matrix: NaN and infinite features, constant and all-zero columns, features of 1e30, a single row, a
/// single class, a missing label and an empty <see cref="IDataView"/>. Each case must either train correctly (every
/// float output finite on clean data, and on the case's own data when that is finite) or fail with a clear message:
/// an <see cref="ArgumentException"/> or <see cref="InvalidOperationException"/> naming the offending column in
/// quotes. Nothing may crash with another exception type or return NaN silently.
/// </summary>
/// <remarks>
/// <code>
/// var clean = BadData.Clean(ctx, featureCount: 4, LabelTask.BinaryClassification);
/// BadData.AssertEachTrainsOrFailsClearly(BadData.Cases(ctx, 4, LabelTask.BinaryClassification),
///     data => ctx.Relaxation().SelectFeatures(...).Fit(data), clean);
/// </code>
/// Labels: binary as Boolean, multiclass as a key of 3 values, regression as Single; pass <c>null</c> for no label.
/// </remarks>
public static class BadData
{
    /// <summary>The feature column name of every case.</summary>
    public const string FeatureColumn = "Features";

    /// <summary>The label column name of every case that has one.</summary>
    public const string LabelColumn = "Label";

    /// <summary>Clean data of the same shape as the cases: uniform features in (-1, 1) and a label that depends on them.</summary>
    public static IDataView Clean(MLContext context, int featureCount, LabelTask? task, int rows = 64) =>
        Build(context, featureCount, Features(featureCount, rows), task, Labels(Features(featureCount, rows), task));

    /// <summary>Every case of the matrix for data of <paramref name="featureCount"/> (at least 3) slots and <paramref name="task"/>.</summary>
    public static IReadOnlyList<BadDataCase> Cases(MLContext context, int featureCount, LabelTask? task, int rows = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 3);
        var cases = new List<BadDataCase>();
        void Add(string name, Action<float[][]> changeFeatures, Action<float[]>? changeLabels = null, int? take = null, bool nonFinite = false)
        {
            var x = Features(featureCount, rows);
            var y = Labels(x, task);
            changeFeatures(x);
            changeLabels?.Invoke(y);
            int n = take ?? rows;
            cases.Add(new BadDataCase(name, Build(context, featureCount, x.Take(n).ToArray(), task, y.Take(n).ToArray()), nonFinite));
        }
        Add("nan-feature", x => x[5][1] = float.NaN, nonFinite: true);
        Add("positive-infinity-feature", x => x[7][0] = float.PositiveInfinity, nonFinite: true);
        Add("negative-infinity-feature", x => x[9][2] = float.NegativeInfinity, nonFinite: true);
        Add("constant-column", x => { foreach (var r in x) r[1] = 3.5f; });
        Add("all-zero-column", x => { foreach (var r in x) r[featureCount - 1] = 0; });
        Add("all-zero-features", x => { foreach (var r in x) Array.Clear(r); });
        Add("features-of-1e30", x => { foreach (var r in x) for (int j = 0; j < r.Length; j++) r[j] *= 1e30f; });
        Add("single-row", _ => { }, take: 1);
        Add("empty", _ => { }, take: 0);
        if (task is LabelTask.BinaryClassification or LabelTask.MulticlassClassification)
            Add("single-class", _ => { }, y => Array.Fill(y, 1f));
        if (task is LabelTask.MulticlassClassification or LabelTask.Regression)
            Add("missing-label", _ => { }, y => y[4] = float.NaN);
        if (task is LabelTask.Regression)
            Add("constant-label", _ => { }, y => Array.Fill(y, 2f));
        return cases;
    }

    /// <summary>Runs <see cref="AssertTrainsOrFailsClearly"/> on every case and reports all failures together.</summary>
    public static void AssertEachTrainsOrFailsClearly(IEnumerable<BadDataCase> cases, Func<IDataView, ITransformer> fit, IDataView clean)
    {
        var failures = new List<string>();
        foreach (var c in cases)
        {
            try
            {
                AssertTrainsOrFailsClearly(c, fit, clean);
            }
            catch (Xunit.Sdk.XunitException e)
            {
                failures.Add($"{c.Name}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>Fails unless fitting on the case fails clearly or yields a model whose float outputs are finite.</summary>
    public static void AssertTrainsOrFailsClearly(BadDataCase badCase, Func<IDataView, ITransformer> fit, IDataView clean)
    {
        ITransformer model;
        try
        {
            model = fit(badCase.Data);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            var columns = badCase.Data.Schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'");
            Assert.True(columns.Any(e.Message.Contains),
                $"failed with {e.GetType().Name} but the message names no column ({string.Join(", ", columns)}): {e.Message}");
            return;
        }
        catch (Exception e)
        {
            Assert.Fail($"crashed with {e.GetType().Name}: {e.Message}");
            return;
        }
        using var dispose = model as IDisposable; // e.g. ML.NET's OnnxTransformer keeps a temporary file
        AssertOutputsFinite(model, clean, "clean data");
        if (!badCase.HasNonFiniteValues) AssertOutputsFinite(model, badCase.Data, "its own data");
    }

    private static void AssertOutputsFinite(ITransformer model, IDataView data, string what)
    {
        var output = model.Transform(data);
        // The columns the model produced: visible, numeric, and not an input column passed through at its index.
        var produced = output.Schema
            .Where(c => !c.IsHidden && (c.Type is VectorDataViewType v ? v.ItemType : c.Type) is NumberDataViewType)
            .Where(c => data.Schema.GetColumnOrNull(c.Name) is not { } input || input.Index != c.Index)
            .Select(c => c.Name).Distinct().ToArray();
        Assert.True(produced.Length > 0, "the model produced no numeric column to check");
        foreach (var (row, column, value) in ColumnValues.Numbers(output, produced))
            Assert.True(double.IsFinite(value), $"trained, but on {what} row {row} column '{column}' is {value}: a non-finite output returned silently.");
    }

    private static float[][] Features(int featureCount, int rows)
    {
        var rng = new RandomSource(20261126);
        var x = new float[rows][];
        for (int i = 0; i < rows; i++)
        {
            x[i] = new float[featureCount];
            rng.NextUniforms(x[i]);
            for (int j = 0; j < featureCount; j++) x[i][j] = 2 * x[i][j] - 1;
        }
        return x;
    }

    private static float[] Labels(float[][] x, LabelTask? task) => x.Select(r => task switch
    {
        LabelTask.BinaryClassification => r[0] > 0 ? 1f : 0f,
        LabelTask.MulticlassClassification => MathF.Min(2, MathF.Floor((r[0] + 1) * 1.5f)),
        LabelTask.Regression => r[0] + 0.5f * r[1],
        _ => 0f,
    }).ToArray();

    private sealed class Row<T>
    {
        public float[] Features { get; set; } = [];
        public T Label { get; set; } = default!;
    }

    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
    }

    private static IDataView Build(MLContext context, int featureCount, float[][] x, LabelTask? task, float[] y)
    {
        var vector = new VectorDataViewType(NumberDataViewType.Single, featureCount);
        switch (task)
        {
            case null:
            {
                var def = SchemaDefinition.Create(typeof(FeatureRow));
                def[FeatureColumn].ColumnType = vector;
                return context.Data.LoadFromEnumerable(x.Select(r => new FeatureRow { Features = r }).ToArray(), def);
            }
            case LabelTask.BinaryClassification:
                return Load(context, x, y.Select(v => v == 1).ToArray(), vector, null);
            case LabelTask.MulticlassClassification:
                // LoadFromEnumerable stores C# value v as key v + 1; NaN becomes the out-of-range value 3, i.e. key 0 (missing).
                return Load(context, x, y.Select(v => float.IsNaN(v) ? 3u : (uint)v).ToArray(), vector, new KeyDataViewType(typeof(uint), 3));
            default:
                return Load(context, x, y, vector, null);
        }
    }

    private static IDataView Load<T>(MLContext context, float[][] x, T[] y, VectorDataViewType vector, DataViewType? labelType)
    {
        var def = SchemaDefinition.Create(typeof(Row<T>));
        def[FeatureColumn].ColumnType = vector;
        if (labelType is not null) def[LabelColumn].ColumnType = labelType;
        return context.Data.LoadFromEnumerable(x.Select((r, i) => new Row<T> { Features = r, Label = y[i] }).ToArray(), def);
    }
}
