using Ml.Relaxation.Engine;
using Ml.Relaxation.Models.GatedSelection;
using Ml.Relaxation.Tests.Reliability;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>The stability-selection runner on small data: its bookkeeping, its determinism and its extremes.</summary>
public class StabilitySelectionTests
{
    private static readonly GatedSelectorSettings Fit = new() { HiddenSizes = [8], Epochs = 15, BatchSize = 64, InitialKeepProbability = 0.7f };

    /// <summary>Slot 0 decides the label outright; slots 1.. are noise.</summary>
    private static (Matrix X, Matrix Y, FeatureScaling Scaling) Data(int rows, int slots, ulong seed)
    {
        var rng = new Ml.Relaxation.Randomness.RandomSource(seed);
        var x = new Matrix(rows, slots);
        var y = new Matrix(rows, 1);
        for (int r = 0; r < rows; r++)
        {
            SelectionData.Normals(rng, slots).CopyTo(x.Row(r));
            y[r, 0] = x[r, 0] > 0 ? 1 : 0;
        }
        return (x, y, new FeatureScaling(new float[slots], Enumerable.Repeat(1f, slots).ToArray()));
    }

    [Theory]
    [InlineData(1, 9)]
    [InlineData(2, 9)]
    [InlineData(3, 10)]
    [InlineData(20, 7)] // more groups than slots: one slot per group
    public void Every_slot_is_seen_by_two_fits_per_round_and_the_fit_count_follows_the_design(int groups, int slots)
    {
        var (x, y, scaling) = Data(60, slots, 1);
        var scores = StabilitySelection.Run(Fit with { Epochs = 2 }, scaling, x, y, new StabilityDesign(3, groups, 5), threads: 2);
        int effectiveGroups = Math.Min(groups, slots);
        Assert.Equal(3 * effectiveGroups * 2, scores.FitCount);
        Assert.All(scores.FitsSeen, seen => Assert.Equal(6, seen));
        Assert.Equal(effectiveGroups, scores.SlotGroups);
        Assert.All(scores.SelectionFrequency, f => Assert.InRange(f, 0f, 1f));
        // the bound's numerator: E[(G q)^2] >= (G E[q])^2
        Assert.True(scores.MeanSquaredGroupsTimesSelected >= Math.Pow(effectiveGroups * scores.MeanSelected, 2) - 1e-9);
    }

    [Fact]
    public void A_slot_that_decides_the_label_scores_one_and_noise_scores_near_zero()
    {
        var (x, y, scaling) = Data(400, 12, 2);
        var scores = StabilitySelection.Run(Fit, scaling, x, y, new StabilityDesign(4, 2, 7), threads: 2);
        Assert.Equal(1f, scores.SelectionFrequency[0]);
        Assert.All(scores.SelectionFrequency.Skip(1), f => Assert.True(f <= 0.25f, $"noise slot scored {f}"));
        Assert.True(scores.MeanHoldoutLoss < 0.5, $"held-out loss {scores.MeanHoldoutLoss}: slot 0 alone predicts the label");
    }

    [Fact]
    public void Scores_are_bit_identical_at_any_thread_count()
    {
        var (x, y, scaling) = Data(200, 10, 3);
        Determinism.AssertBitIdentical(threads => Determinism.AtThreads(threads, () =>
        {
            var s = StabilitySelection.Run(Fit with { Epochs = 4 }, scaling, x, y, new StabilityDesign(3, 2, 11), threads);
            return (IReadOnlyList<float>)[.. s.SelectionFrequency, .. s.KeepProbability, (float)s.MeanHoldoutLoss, (float)s.MeanSquaredGroupsTimesSelected];
        }));
    }

    [Fact]
    public void A_different_seed_draws_different_splits()
    {
        var (x, y, scaling) = Data(200, 10, 3);
        var a = StabilitySelection.Run(Fit with { Epochs = 3 }, scaling, x, y, new StabilityDesign(2, 2, 1), threads: 1);
        var b = StabilitySelection.Run(Fit with { Epochs = 3 }, scaling, x, y, new StabilityDesign(2, 2, 2), threads: 1);
        Assert.NotEqual([.. a.KeepProbability], [.. b.KeepProbability]);
    }

    [Fact]
    public void A_single_row_is_used_as_both_halves()
    {
        var (x, y, scaling) = Data(1, 3, 4);
        var scores = StabilitySelection.Run(Fit with { Epochs = 1, BatchSize = 1 }, scaling, x, y, new StabilityDesign(1, 1, 1), threads: 1);
        Assert.Equal(2, scores.FitCount);
    }

    [Fact]
    public void Bad_designs_name_the_setting()
    {
        var (x, y, scaling) = Data(10, 3, 4);
        Assert.Equal("Rounds", Assert.Throws<ArgumentOutOfRangeException>(() => StabilitySelection.Run(Fit, scaling, x, y, new StabilityDesign(0, 1, 1), 1)).ParamName);
        Assert.Equal("SlotGroups", Assert.Throws<ArgumentOutOfRangeException>(() => StabilitySelection.Run(Fit, scaling, x, y, new StabilityDesign(1, 0, 1), 1)).ParamName);
        Assert.Equal("L0Strength", Assert.Throws<ArgumentOutOfRangeException>(() => StabilitySelection.Run(Fit, scaling, x, y, new StabilityDesign(1, 1, 1, -2f), 1)).ParamName);
    }
}
