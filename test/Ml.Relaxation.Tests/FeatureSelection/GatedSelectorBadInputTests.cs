using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.Data;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.FeatureSelection;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>Bad input gets a clear exception that names the column or option.</summary>
public class GatedSelectorBadInputTests
{
    private readonly MLContext _ml = new(seed: 1);

    private sealed class DoubleRow
    {
        [VectorType(3)] public double[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    private sealed class VariableRow
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    private sealed class TextLabelRow
    {
        [VectorType(3)] public float[] Features { get; set; } = [];
        public string Label { get; set; } = "";
    }

    private GatedFeatureSelectorEstimator Selector(int? k = 2, bool skip = false) =>
        _ml.Relaxation().SelectFeaturesWithGates(new GatedFeatureSelectorOptions
        {
            MaximumFeatureCount = k, Epochs = 2, StabilityRounds = 1, Seed = 1, SkipRowsWithMissingValues = skip,
        });

    private IDataView Good(int rows = 40, Func<int, float[]>? features = null, Func<int, bool>? label = null) =>
        SelectionData.View(_ml, [.. Enumerable.Range(0, rows).Select(i => features?.Invoke(i) ?? [i, i % 3, -i])],
            [.. Enumerable.Range(0, rows).Select(i => label?.Invoke(i) ?? i % 2 == 0)]);

    [Fact]
    public void Missing_feature_or_label_column_is_named()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            _ml.Relaxation().SelectFeaturesWithGates(2, featureColumnName: "Pixels").Fit(Good()));
        Assert.Contains("'Pixels'", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Relaxation().SelectFeaturesWithGates(2, labelColumnName: "Target").Fit(Good()));
        Assert.Contains("'Target'", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            _ml.Relaxation().SelectFeaturesWithGates(2, labelColumnName: "Target").GetOutputSchema(ShapeOf(Good().Schema)));
        Assert.Contains("'Target'", e.Message);
    }

    [Fact]
    public void Wrong_typed_or_variable_size_features_and_wrong_typed_labels_are_named()
    {
        var doubles = _ml.Data.LoadFromEnumerable(new[] { new DoubleRow { Features = [1, 2, 3], Label = true } });
        Assert.Contains("'Features'", Assert.Throws<ArgumentOutOfRangeException>(() => Selector().Fit(doubles)).Message);
        var variable = _ml.Data.LoadFromEnumerable(new[] { new VariableRow { Features = [1, 2, 3], Label = true } });
        Assert.Contains("'Features'", Assert.Throws<ArgumentOutOfRangeException>(() => Selector().Fit(variable)).Message);
        var text = _ml.Data.LoadFromEnumerable(new[] { new TextLabelRow { Features = [1, 2, 3], Label = "yes" } });
        Assert.Contains("'Label'", Assert.Throws<ArgumentOutOfRangeException>(() => Selector().Fit(text)).Message);
    }

    [Fact]
    public void Non_finite_rows_are_rejected_by_default_or_skipped_and_counted()
    {
        var data = Good(features: i => i % 10 == 3 ? [float.NaN, 1, 2] : i == 5 ? [float.PositiveInfinity, 0, 0] : [i, i % 3, -i]);
        var e = Assert.Throws<InvalidOperationException>(() => Selector().Fit(data));
        Assert.Contains("'Features'", e.Message);
        var t = Selector(skip: true).Fit(data);
        Assert.Equal(5, t.SkippedRows);
        Assert.InRange(t.TrainingRows, 20, 35); // the rest of the 35 finite rows are the validation split
    }

    /// <summary>SchemaShape.Create(DataViewSchema) is internal in ML.NET 5.0.1; tests reach it by reflection.</summary>
    internal static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)!
            .Invoke(null, [schema])!;


    [Fact]
    public void Single_class_and_empty_data_are_reported()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Selector().Fit(Good(label: _ => true)));
        Assert.Contains("'Label'", e.Message);
        var def = SchemaDefinition.Create(typeof(SelectionData.Row<bool>));
        def["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3);
        var empty = _ml.Data.LoadFromEnumerable(Array.Empty<SelectionData.Row<bool>>(), def);
        Assert.Contains("'Features'", Assert.Throws<InvalidOperationException>(() => Selector().Fit(empty)).Message);
    }

    [Fact]
    public void K_out_of_range_names_the_option_in_the_users_terms()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Selector(k: 0));
        Assert.Equal("MaximumFeatureCount", e.ParamName);
        Assert.Contains("at least 1", e.Message);
        Assert.DoesNotContain(int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => Selector(k: 4).Fit(Good()));
        Assert.Equal("MaximumFeatureCount", e.ParamName);
        Assert.Contains("more than the 3 slots of column 'Features'", e.Message);
    }

    public static TheoryData<string, Action<GatedFeatureSelectorOptions>> BadOptions => new()
    {
        { "Epochs", o => o.Epochs = 0 },
        { "BatchSize", o => o.BatchSize = 0 },
        { "LearningRate", o => o.LearningRate = float.NaN },
        { "GateLearningRate", o => o.GateLearningRate = -1 },
        { "L0Strength", o => o.L0Strength = -1 },
        { "L0Strength", o => o.L0Strength = 0 },
        { "HeadWeightDecay", o => o.HeadWeightDecay = float.PositiveInfinity },
        { "ExpectedFalseSelections", o => o.ExpectedFalseSelections = 0 },
        { "StabilityRounds", o => o.StabilityRounds = 0 },
        { "SlotGroups", o => o.SlotGroups = 0 },
        { "ValidationFraction", o => o.ValidationFraction = 1 },
        { "HiddenSizes", o => o.HiddenSizes = [8, 0] },
        { "InitialKeepProbability", o => o.InitialKeepProbability = 1 },
        { "GateWarmupFraction", o => o.GateWarmupFraction = 1 },
        { "Gamma", o => o.Gamma = 0 },
        { "Zeta", o => o.Zeta = 1 },
        { "Temperature", o => o.Temperature = 0 },
        { "EarlyStoppingPatience", o => o.EarlyStoppingPatience = -1 },
        { "FeatureColumnName", o => o.FeatureColumnName = "" },
        { "Task", o => o.Task = (LabelTask)42 },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Invalid_options_name_the_option(string option, Action<GatedFeatureSelectorOptions> spoil)
    {
        var options = new GatedFeatureSelectorOptions();
        spoil(options);
        var e = Assert.ThrowsAny<ArgumentException>(() => _ml.Relaxation().SelectFeaturesWithGates(options));
        Assert.Equal(option, e.ParamName);
    }

    [Fact]
    public void Transform_on_a_wrong_sized_column_names_it()
    {
        var t = Selector().Fit(Good());
        var other = SelectionData.View(_ml, [[1f, 2f, 3f, 4f]], [true]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => t.Transform(other));
        Assert.Contains("'Features'", e.Message);
    }

    [Fact]
    public void Cancellation_stops_fit()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var selector = _ml.Relaxation().SelectFeaturesWithGates(new GatedFeatureSelectorOptions { MaximumFeatureCount = 2, CancellationToken = cts.Token });
        Assert.ThrowsAny<OperationCanceledException>(() => selector.Fit(Good()));
    }
}
