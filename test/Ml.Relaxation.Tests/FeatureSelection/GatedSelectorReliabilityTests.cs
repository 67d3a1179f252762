using Microsoft.ML.Data;
using Microsoft.ML;
using Ml.Relaxation.Data;
using Ml.Relaxation.Engine;
using Ml.Relaxation.MLNet.FeatureSelection;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.Parallelism;
using Ml.Relaxation.Tests.Conformance;
using Ml.Relaxation.Tests.Reliability;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>The shared conformance kit and reliability checks, applied to the gated feature selector.</summary>
public class GatedSelectorReliabilityTests
{
    private static GatedFeatureSelectorOptions Quick(int? k = 2) => new() { MaximumFeatureCount = k, Epochs = 4, StabilityRounds = 2, Seed = 1 };

    private sealed class DoubleRow
    {
        [VectorType(5)] public double[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    [Theory]
    [InlineData(GatedOutputMode.KeptSlots)]
    [InlineData(GatedOutputMode.GatedVector)]
    public void Passes_the_conformance_kit(GatedOutputMode mode)
    {
        var ctx = new MLContext(seed: 1);
        IDataView data = BadData.Clean(ctx, 5, LabelTask.BinaryClassification);
        IDataView withoutLabel = ctx.Transforms.DropColumns("Label").Fit(data).Transform(data);
        IDataView missing = ctx.Transforms.CopyColumns("Other", "Features").Append(ctx.Transforms.DropColumns("Features")).Fit(data).Transform(data);
        IDataView doubles = ctx.Data.LoadFromEnumerable(Enumerable.Range(0, 8).Select(i => new DoubleRow { Features = [i, 1, 2, 3, 4], Label = i % 2 == 0 }));
        var options = Quick();
        options.OutputMode = mode;
        EstimatorConformance.AssertConforms(ctx, ctx.Relaxation().SelectFeaturesWithGates(options), data, transformInput: withoutLabel,
            invalidInputs: [InvalidInput.Strict(missing), InvalidInput.WrongType(doubles)]);
    }

    [Theory]
    [InlineData(LabelTask.BinaryClassification)]
    [InlineData(LabelTask.MulticlassClassification)]
    [InlineData(LabelTask.Regression)]
    public void Each_bad_data_case_trains_or_fails_clearly(LabelTask task)
    {
        var ctx = new MLContext(seed: 1);
        BadData.AssertEachTrainsOrFailsClearly(BadData.Cases(ctx, 5, task),
            data => ctx.Relaxation().SelectFeaturesWithGates(Quick()).Fit(data), BadData.Clean(ctx, 5, task));
    }

    [Fact]
    public void Fit_is_bit_identical_at_any_thread_count()
    {
        Determinism.AssertBitIdentical(threads =>
        {
            using var scope = DegreeOfParallelism.Override(threads);
            var ctx = new MLContext(seed: 1);
            var t = ctx.Relaxation().SelectFeaturesWithGates(Quick()).Fit(BadData.Clean(ctx, 5, LabelTask.BinaryClassification, rows: 200));
            return [.. t.FeatureScores.SelectMany(f => new[] { f.SlotIndex, f.Score, f.KeepProbability }), .. t.AppliedGates];
        }, 2, 4);
    }

    [Fact]
    public void Cancellation_stops_a_running_fit_promptly()
    {
        var ctx = new MLContext(seed: 1);
        var (x, y, _) = SelectionData.LinearAndXor(4000, 100, seed: 1);
        var data = SelectionData.View(ctx, x, y);
        Cancellation.AssertCancelsPromptly(token =>
        {
            var options = new GatedFeatureSelectorOptions { MaximumFeatureCount = 5, Epochs = 100_000, Seed = 1, CancellationToken = token };
            return ctx.Relaxation().SelectFeaturesWithGates(options).Fit(data);
        }, cancelAfter: TimeSpan.FromMilliseconds(500), within: TimeSpan.FromSeconds(2));
        Cancellation.AssertPreCancelledTokenStopsAtOnce(token =>
            ctx.Relaxation().SelectFeaturesWithGates(new GatedFeatureSelectorOptions { MaximumFeatureCount = 5, CancellationToken = token }).Fit(data));
    }

    [Fact]
    public void Prediction_engines_and_cursors_on_several_threads_match_one_thread()
    {
        var ctx = new MLContext(seed: 1);
        var (x, y, _) = SelectionData.LinearAndXor(200, 12, seed: 2);
        var data = SelectionData.View(ctx, x, y);
        var model = ctx.Relaxation().SelectFeaturesWithGates(Quick(k: 4)).Fit(data);
        var def = SchemaDefinition.Create(typeof(SelectionData.Row<bool>));
        def["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 12);
        var rows = x.Take(40).Select((f, i) => new SelectionData.Row<bool> { Features = f, Label = y[i] }).ToArray();
        Concurrency.AssertPredictionEnginesAgree<SelectionData.Row<bool>, FeaturesOut>(ctx, model, rows, o => o.Features, inputSchema: def);
        Concurrency.AssertCursorsAgree(model, data);
    }

    /// <summary>The selector's output row.</summary>
    public sealed class FeaturesOut
    {
        /// <summary>The kept slots.</summary>
        public float[] Features { get; set; } = [];
    }
}
