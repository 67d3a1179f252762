using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Relaxation.Samples.Datasets;

/// <summary>
/// Presents rows of a <see cref="FeatureTable"/> to ML.NET: a <c>Features</c> vector whose slot names are the column
/// names, and a <c>Label</c> typed as the estimators expect (<see cref="bool"/> for binary, a key with the class names
/// as key values for multiclass, <see cref="float"/> for regression).
/// </summary>
internal static class TableDataView
{
    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class BinaryRow
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    // LoadFromEnumerable reads a key property as a 0-based index and stores it as the 1-based key (0 is missing).
    private sealed class KeyRow
    {
        public float[] Features { get; set; } = [];
        public uint Label { get; set; }
    }

    private sealed class ValueRow
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    /// <summary>The rows <paramref name="rows"/> of <paramref name="table"/>, with the label when the table has one.</summary>
    public static IDataView Create(MLContext ml, FeatureTable table, IReadOnlyList<int> rows)
    {
        if (table.Label is not { } label)
            return Load(ml, table, rows.Select(r => new FeatureRow { Features = table.Rows[r] }), null);
        return label.Task switch
        {
            LearningTask.Binary => Load(ml, table, rows.Select(r => new BinaryRow { Features = table.Rows[r], Label = label.Values[r] == 1f }), null),
            LearningTask.Multiclass => Load(ml, table, rows.Select(r => new KeyRow { Features = table.Rows[r], Label = (uint)label.Values[r] }), label.Classes),
            _ => Load(ml, table, rows.Select(r => new ValueRow { Features = table.Rows[r], Label = label.Values[r] }), null),
        };
    }

    /// <summary>
    /// The rows with a regression label replaced by its bin among <paramref name="binEdges"/> (a key label with one
    /// class per bin), for estimators that need a discrete label such as mutual information.
    /// </summary>
    public static IDataView CreateWithBinnedLabel(MLContext ml, FeatureTable table, IReadOnlyList<int> rows, float[] binEdges)
    {
        var label = table.Label ?? throw new InvalidOperationException("The table has no label to bin.");
        string[] bins = Enumerable.Range(0, binEdges.Length + 1).Select(b => $"bin {b + 1}").ToArray();
        return Load(ml, table, rows.Select(r => new KeyRow { Features = table.Rows[r], Label = (uint)Bin(label.Values[r], binEdges) }), bins);
    }

    /// <summary>Quantile edges that cut <paramref name="values"/> into about <paramref name="bins"/> equally filled bins (duplicates removed).</summary>
    public static float[] QuantileEdges(IEnumerable<float> values, int bins)
    {
        float[] sorted = [.. values.Order()];
        return Enumerable.Range(1, bins - 1).Select(b => sorted[(int)((long)b * sorted.Length / bins)]).Distinct().ToArray();
    }

    private static int Bin(float value, float[] edges)
    {
        int bin = 0;
        while (bin < edges.Length && value >= edges[bin]) bin++;
        return bin;
    }

    private static IDataView Load<T>(MLContext ml, FeatureTable table, IEnumerable<T> rows, string[]? classes) where T : class
    {
        int d = table.FeatureNames.Length;
        var schema = SchemaDefinition.Create(typeof(T));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, d);
        schema["Features"].AddAnnotation("SlotNames", Text(table.FeatureNames), new VectorDataViewType(TextDataViewType.Instance, d));
        if (classes is not null)
        {
            schema["Label"].ColumnType = new KeyDataViewType(typeof(uint), classes.Length);
            schema["Label"].AddAnnotation("KeyValues", Text(classes), new VectorDataViewType(TextDataViewType.Instance, classes.Length));
        }
        // Materialized so that every pass (training epochs, evaluation) reads the same rows without re-running the query.
        return ml.Data.LoadFromEnumerable(rows.ToList(), schema);
    }

    private static VBuffer<ReadOnlyMemory<char>> Text(string[] values) =>
        new(values.Length, values.Select(v => v.AsMemory()).ToArray());
}
