using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.FeatureSelection;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>The selector's statistics: stored with the model, read back after Load, and consistent with what it keeps.</summary>
public class GatedSelectorStatisticsTests(SelectorFixture fixture) : IClassFixture<SelectorFixture>
{
    [Fact]
    public void Statistics_survive_save_and_load_in_a_fresh_context_bit_for_bit()
    {
        var ml = fixture.Context;
        var pipeline = ml.Transforms.CopyColumns("Raw", "Features")
            .Append(ml.Relaxation().SelectFeaturesWithGates(fixture.Options))
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 5));
        var fitted = pipeline.Fit(fixture.Data);
        var original = fitted.OfType<GatedFeatureSelectorTransformer>().Single().Statistics;
        Assert.Same(original, Assert.Single(GatedSelectorStatistics.FindIn(fitted, fixture.Data.Schema)));

        using var zip = new MemoryStream();
        ml.Model.Save(fitted, fixture.Data.Schema, zip);
        zip.Position = 0;
        var loaded = new MLContext(seed: 42).Model.Load(zip, out var schema);
        var read = Assert.Single(GatedSelectorStatistics.FindIn(loaded, schema));

        Assert.Equal(original.FeatureScores, read.FeatureScores); // records: slot, name, score and keep probability bits, rank, kept
        Assert.Equal(original.KeptSlotIndices, read.KeptSlotIndices);
        Assert.Equal(original.KeptSlotNames, read.KeptSlotNames);
        Assert.Equal(original.AppliedGates, read.AppliedGates);
        Assert.Equal(original.History, read.History);
        Assert.Equal(
            (original.FeatureColumnName, original.OutputColumnName, original.Task, original.MaximumFeatureCount, original.SelectionThreshold,
             original.FalseSelectionBound, original.StabilityFits, original.SlotGroups, original.MeanSelectedPerFit, original.MeanFitTrainingLoss,
             original.MeanFitHoldoutLoss, original.TrainingRows, original.SkippedRows, original.JointSubsetHoldoutLosses, original.RankedBySubsetFrequency),
            (read.FeatureColumnName, read.OutputColumnName, read.Task, read.MaximumFeatureCount, read.SelectionThreshold,
             read.FalseSelectionBound, read.StabilityFits, read.SlotGroups, read.MeanSelectedPerFit, read.MeanFitTrainingLoss,
             read.MeanFitHoldoutLoss, read.TrainingRows, read.SkippedRows, read.JointSubsetHoldoutLosses, read.RankedBySubsetFrequency));
        Assert.NotNull(read.JointSubsetHoldoutLosses); // the fixture keeps k of more slots: the search ran
        Assert.All(read.FeatureScores, f => Assert.InRange(f.SubsetFrequency, 0f, 1f));
        // the hidden carrier column changes nothing visible
        Assert.Equal(fitted.GetOutputSchema(fixture.Data.Schema).Select(c => c.Name), loaded.GetOutputSchema(schema).Select(c => c.Name));
    }

    [Fact]
    public void Every_selector_of_a_pipeline_is_found_in_order()
    {
        var ml = fixture.Context;
        var second = new GatedFeatureSelectorOptions { MaximumFeatureCount = 2, FeatureColumnName = "Features", OutputColumnName = "Fewer", Seed = 1, Epochs = 3, StabilityRounds = 1 };
        var fitted = ml.Relaxation().SelectFeaturesWithGates(fixture.Options).Append(ml.Relaxation().SelectFeaturesWithGates(second)).Fit(fixture.Data);
        using var zip = new MemoryStream();
        ml.Model.Save(fitted, fixture.Data.Schema, zip);
        zip.Position = 0;
        var loaded = new MLContext().Model.Load(zip, out var schema);
        var found = GatedSelectorStatistics.FindIn(loaded, schema);
        Assert.Equal([SelectorFixture.K, 2], found.Select(s => s.KeptSlotIndices.Count));
        Assert.Equal(["Features", "Fewer"], found.Select(s => s.OutputColumnName));
        Assert.Equal(SelectorFixture.K, found[1].SlotCount); // the second selector saw the first one's output
    }

    [Fact]
    public void Scores_ranks_and_kept_flags_agree_with_the_kept_slots()
    {
        var s = fixture.Selector.Statistics;
        Assert.Equal(Enumerable.Range(1, SelectorFixture.Slots), s.FeatureScores.Select(f => f.Rank));
        Assert.Equal(s.KeptSlotIndices, s.FeatureScores.Where(f => f.IsKept).Select(f => f.SlotIndex).Order());
        Assert.Equal(fixture.SlotNames.Select((n, j) => (j, n)), s.FeatureScores.Select(f => (f.SlotIndex, f.SlotName)).Order());
        Assert.Equal(SelectorFixture.K, s.MaximumFeatureCount);
        Assert.Null(s.SelectionThreshold);
        // the ranking follows the subset frequency when the joint subset won on held-out rows, else the score
        Assert.NotNull(s.JointSubsetHoldoutLosses);
        Assert.Equal(s.JointSubsetHoldoutLosses.JointSubset < s.JointSubsetHoldoutLosses.TopScores, s.RankedBySubsetFrequency);
        float[] primary = [.. s.FeatureScores.Select(f => s.RankedBySubsetFrequency ? f.SubsetFrequency : f.Score)];
        Assert.Equal(primary.OrderDescending(), primary);
        Assert.Equal(fixture.Options.StabilityRounds * 2 * 2, s.StabilityFits);
        // with k the bound is the one at the lowest kept score (+infinity at or below 1/2)
        float lowest = s.FeatureScores.Where(f => f.IsKept).Min(f => f.Score);
        if (lowest <= 0.5f) Assert.Equal(double.PositiveInfinity, s.FalseSelectionBound);
        else Assert.True(s.FalseSelectionBound > 0 && double.IsFinite(s.FalseSelectionBound));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(SelectorFixture.Slots)]
    public void K_keeps_exactly_k_slots_the_k_best_ranked(int k)
    {
        var options = new GatedFeatureSelectorOptions { MaximumFeatureCount = k, Seed = 3, Epochs = 3, StabilityRounds = 1 };
        var t = fixture.Context.Relaxation().SelectFeaturesWithGates(options).Fit(fixture.Data);
        Assert.Equal(k, t.KeptSlotIndices.Count);
        Assert.Equal(t.FeatureScores.Take(k).Select(f => f.SlotIndex).Order(), t.KeptSlotIndices);
        // the joint subset search runs only when k leaves a choice
        Assert.Equal(k < SelectorFixture.Slots, t.Statistics.JointSubsetHoldoutLosses is not null);
        Assert.Equal(k < SelectorFixture.Slots, t.FeatureScores.All(f => !float.IsNaN(f.SubsetFrequency)));
    }

    [Fact]
    public void Without_k_the_threshold_is_reported_and_every_kept_slot_reaches_it()
    {
        var options = new GatedFeatureSelectorOptions { Seed = 3, Epochs = 20, StabilityRounds = 3 };
        var s = fixture.Context.Relaxation().SelectFeaturesWithGates(options).Fit(fixture.Data).Statistics;
        Assert.Null(s.MaximumFeatureCount);
        Assert.InRange(s.SelectionThreshold!.Value, 0.6f, 0.9f);
        Assert.Null(s.JointSubsetHoldoutLosses);
        Assert.False(s.RankedBySubsetFrequency);
        Assert.All(s.FeatureScores, f => Assert.True(float.IsNaN(f.SubsetFrequency)));
        var kept = s.FeatureScores.Where(f => f.IsKept).ToArray();
        Assert.NotEmpty(kept);
        if (kept.Length > 1 || kept[0].Score >= s.SelectionThreshold) Assert.All(kept, f => Assert.True(f.Score >= s.SelectionThreshold));
        Assert.All(s.FeatureScores.Where(f => !f.IsKept), f => Assert.True(f.Score < s.SelectionThreshold));
    }

    [Fact]
    public void Progress_reports_every_stability_fit_every_joint_subset_fit_then_every_final_epoch()
    {
        var reports = new List<GatedSelectionProgress>();
        var options = new GatedFeatureSelectorOptions
        {
            MaximumFeatureCount = 2, Seed = 1, Epochs = 3, StabilityRounds = 2, Progress = new Collect(reports),
        };
        fixture.Context.Relaxation().SelectFeaturesWithGates(options).Fit(fixture.Data);
        var fits = reports.Where(r => r.Stage == GatedSelectionStage.StabilityFits).ToArray();
        Assert.Equal(Enumerable.Range(1, 8), fits.Select(r => r.Completed));
        Assert.All(fits, r => Assert.Equal(8, r.Total));
        var subsetFits = reports.Where(r => r.Stage == GatedSelectionStage.JointSubsetFits).ToArray();
        Assert.Equal(Enumerable.Range(1, 12), subsetFits.Select(r => r.Completed)); // 6 per round
        Assert.All(subsetFits, r => Assert.Equal(12, r.Total));
        Assert.Equal([GatedSelectionStage.StabilityFits, GatedSelectionStage.JointSubsetFits, GatedSelectionStage.FinalFit],
            reports.Select(r => r.Stage).Distinct());
        var epochs = reports.Where(r => r.Stage == GatedSelectionStage.FinalFit).ToArray();
        Assert.Equal([1, 2, 3], epochs.Select(r => r.Completed));
        Assert.All(epochs, r => Assert.NotNull(r.Epoch));
        Assert.Equal(GatedSelectionStage.FinalFit, reports[^1].Stage);
    }

    private sealed class Collect(List<GatedSelectionProgress> into) : IProgress<GatedSelectionProgress>
    {
        public void Report(GatedSelectionProgress value)
        {
            lock (into) into.Add(value);
        }
    }
}

/// <summary>The overfit warning: its rule, and that a head left free to memorize is reported through the ML.NET log.</summary>
public class OverfitWarningTests
{
    [Theory]
    [InlineData(0.20, 0.24, false)] // within 0.05 nats
    [InlineData(0.20, 0.29, false)] // within half the training loss
    [InlineData(0.20, 0.31, true)]
    [InlineData(0.01, 0.07, true)]  // more than the 0.05-nat floor
    public void Parted_means_more_than_half_the_training_loss_and_at_least_five_hundredths_of_a_nat(double train, double heldOut, bool parted) =>
        Assert.Equal(parted, OverfitWarning.Parted(train, heldOut));

    [Fact]
    public void A_wide_deep_head_without_weight_decay_on_few_noisy_rows_logs_a_warning_and_the_default_does_not()
    {
        var (x, y, _) = SelectionData.LinearAndXor(240, 40, seed: 5);
        var data = SelectionData.View(new MLContext(1), x, y);
        bool Warned(GatedFeatureSelectorOptions options)
        {
            var ml = new MLContext(seed: 1);
            var warnings = new List<string>();
            ml.Log += (_, e) =>
            {
                if (e.Kind == ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message);
            };
            ml.Relaxation().SelectFeaturesWithGates(options).Fit(data);
            return warnings.Any(w => w.Contains("overfit", StringComparison.Ordinal));
        }
        Assert.True(Warned(new GatedFeatureSelectorOptions
        {
            MaximumFeatureCount = 5, Seed = 1, HiddenSizes = [64, 64], HeadWeightDecay = 0, Epochs = 150, StabilityRounds = 1,
        }));
        Assert.False(Warned(new GatedFeatureSelectorOptions { MaximumFeatureCount = 5, Seed = 1, StabilityRounds = 1 }));
    }
}
