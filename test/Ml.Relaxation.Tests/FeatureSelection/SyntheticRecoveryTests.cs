using Microsoft.ML;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.FeatureSelection;
using Xunit.Abstractions;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>
/// The ranking on small synthetic sets where a univariate score or a single L0 fit fails: relevant slots that only
/// repeat others, and slots that matter only through interactions. With the defaults, every relevant slot ranks above
/// every noise slot on each seed here (each seed draws new data and a new fit). Seeds 1-3 are the first three, not
/// picked; docs/benchmarks.md reports a sweep over seeds 1-10, where every test here passes, though on one interaction
/// seed only thanks to the k-mode ranking (the score alone puts a noise slot above a relevant one there).
/// </summary>
public class SyntheticRecoveryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Redundant_copies_all_rank_above_every_noise_slot_and_the_no_knob_mode_keeps_no_noise(int seed)
    {
        var ml = new MLContext(seed);
        var (x, y, relevant) = SelectionData.RedundantCopies(1000, 40, (ulong)seed);
        var selector = ml.Relaxation().SelectFeaturesWithGates(new GatedFeatureSelectorOptions { Seed = seed }).Fit(SelectionData.View(ml, x, y));
        AssertRelevantFirst(selector, relevant);
        Assert.Subset(relevant.ToHashSet(), selector.KeptSlotIndices.ToHashSet());
        Assert.True(selector.KeptSlotIndices.Count >= 2, "a minimal set needs both informative directions");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Slots_that_act_only_through_interactions_rank_above_every_noise_slot(int seed)
    {
        var ml = new MLContext(seed);
        var (x, y, relevant) = SelectionData.Interactions(2000, 30, (ulong)seed);
        var selector = ml.Relaxation().SelectFeaturesWithGates(new GatedFeatureSelectorOptions { MaximumFeatureCount = 5, Seed = seed })
            .Fit(SelectionData.View(ml, x, y));
        AssertRelevantFirst(selector, relevant);
        Assert.Equal(relevant, selector.KeptSlotIndices);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void With_k_2_on_redundant_copies_the_two_kept_slots_carry_both_informative_directions(int seed)
    {
        // a, b and four slots that repeat them: a + noise twice, (a + b) / sqrt 2 + noise, b + noise. Every one scores as
        // relevant, so the two best scores can both be copies of a; two slots that span a and b are what k = 2 needs.
        var ml = new MLContext(seed);
        var (x, y, _) = SelectionData.RedundantCopies(1000, 40, (ulong)seed);
        int[] roles = SelectionData.RedundantCopyRoles(40, (ulong)seed); // a, b, a', a'', mix, b'
        var selector = ml.Relaxation().SelectFeaturesWithGates(new GatedFeatureSelectorOptions { MaximumFeatureCount = 2, Seed = seed })
            .Fit(SelectionData.View(ml, x, y));
        var statistics = selector.Statistics;
        output.WriteLine($"roles a, b, a', a'', mix, b' = [{string.Join(",", roles)}]; kept [{string.Join(",", selector.KeptSlotIndices)}]; " +
            $"losses {statistics.JointSubsetHoldoutLosses}; top by score: {string.Join(", ", statistics.FeatureScores.OrderByDescending(f => f.Score).Take(6).Select(f => $"{f.SlotIndex}:{f.Score:F2}/{f.SubsetFrequency:F2}"))}");
        int[] aSide = [roles[0], roles[2], roles[3]], bSide = [roles[1], roles[5]];
        int[] kept = [.. selector.KeptSlotIndices];
        Assert.All(kept, j => Assert.Contains(j, roles));
        Assert.False(kept.All(aSide.Contains), "both kept slots carry only a");
        Assert.False(kept.All(bSide.Contains), "both kept slots carry only b");
    }

    [Fact]
    public void The_linear_and_xor_set_of_earlier_releases_is_recovered_with_k()
    {
        var ml = new MLContext(11);
        var (x, y, relevant) = SelectionData.LinearAndXor(1000, 60, 11);
        var selector = ml.Relaxation().SelectFeaturesWithGates(maximumFeatureCount: 5).Fit(SelectionData.View(ml, x, y));
        AssertRelevantFirst(selector, relevant);
        Assert.Equal(relevant, selector.KeptSlotIndices);
    }

    private void AssertRelevantFirst(GatedFeatureSelectorTransformer selector, int[] relevant)
    {
        var scores = selector.FeatureScores;
        output.WriteLine($"relevant [{string.Join(",", relevant)}]; top {relevant.Length + 3}: " +
            string.Join(", ", scores.Take(relevant.Length + 3).Select(s => $"{s.SlotIndex}:{s.Score:F2}/{s.KeepProbability:F2}")));
        Assert.Equal(relevant.Order(), scores.Take(relevant.Length).Select(s => s.SlotIndex).Order());
    }
}
