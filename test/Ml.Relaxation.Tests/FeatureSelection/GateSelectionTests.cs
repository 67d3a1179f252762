using CsCheck;
using Ml.Relaxation.Models.GatedSelection;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>The ranking of slots by their scores, and the choice of kept slots from it.</summary>
public class GateSelectionTests
{
    [Fact]
    public void Rank_orders_by_frequency_then_keep_probability_then_index()
    {
        Gen.Int[1, 30].SelectMany(d => Gen.Int[0, 4].Array[d].Select(Gen.Int[0, 3].Array[d], (f, p) => (f, p))).Sample(t =>
        {
            // few distinct values, so ties in both keys are common
            float[] frequency = [.. t.f.Select(v => v / 4f)], keep = [.. t.p.Select(v => v / 3f)];
            int[] order = GateSelection.Rank(frequency, keep);
            Assert.Equal(Enumerable.Range(0, frequency.Length), order.Order());
            for (int i = 1; i < order.Length; i++)
            {
                int a = order[i - 1], b = order[i];
                Assert.True(frequency[a] > frequency[b]
                    || (frequency[a] == frequency[b] && (keep[a] > keep[b] || (keep[a] == keep[b] && a < b))),
                    $"slot {a} ({frequency[a]}, {keep[a]}) ranked before slot {b} ({frequency[b]}, {keep[b]})");
            }
        });
    }

    [Fact]
    public void Rank_by_subset_orders_by_subset_frequency_then_as_rank_does()
    {
        Gen.Int[1, 30].SelectMany(d => Gen.Int[0, 3].Array[d].Select(Gen.Int[0, 4].Array[d], Gen.Int[0, 2].Array[d], (s, f, p) => (s, f, p))).Sample(t =>
        {
            float[] subset = [.. t.s.Select(v => v / 3f)], frequency = [.. t.f.Select(v => v / 4f)], keep = [.. t.p.Select(v => v / 2f)];
            int[] byScore = GateSelection.Rank(frequency, keep);
            int[] order = GateSelection.RankBySubset(subset, frequency, keep);
            Assert.Equal(Enumerable.Range(0, subset.Length), order.Order());
            for (int i = 1; i < order.Length; i++)
            {
                int a = order[i - 1], b = order[i];
                Assert.True(subset[a] > subset[b] || (subset[a] == subset[b] && Array.IndexOf(byScore, a) < Array.IndexOf(byScore, b)),
                    $"slot {a} ({subset[a]}) ranked before slot {b} ({subset[b]})");
            }
        });
        var e = Assert.Throws<ArgumentException>(() => GateSelection.RankBySubset([1f], [1f, 2f], [1f, 2f]));
        Assert.Equal(("subsetFrequency", true), (e.ParamName, e.Message.Contains("2 subset frequencies, got 1")));
    }

    [Fact]
    public void With_k_keeps_exactly_the_first_k_of_the_ranking_ascending()
    {
        Gen.Int[1, 30].SelectMany(d => Gen.Float[0f, 1f].Array[d].Select(Gen.Int[1, d], (f, k) => (f, k))).Sample(t =>
        {
            int[] ranking = GateSelection.Rank(t.f, new float[t.f.Length]);
            int[] kept = GateSelection.Select(ranking, t.f, t.k, threshold: 2f);
            Assert.Equal(ranking.Take(t.k).Order(), kept);
        });
    }

    [Fact]
    public void Without_k_keeps_every_slot_at_or_above_the_threshold_and_never_nothing()
    {
        float[] frequency = [0.2f, 0.6f, 0.95f, 0.59f, 0.6f];
        int[] ranking = GateSelection.Rank(frequency, new float[5]);
        Assert.Equal([1, 2, 4], GateSelection.Select(ranking, frequency, null, 0.6f));
        Assert.Equal([2], GateSelection.Select(ranking, frequency, null, 0.99f));
    }

    [Fact]
    public void Ties_in_both_scores_go_to_the_lower_index()
    {
        int[] ranking = GateSelection.Rank([0.5f, 0.9f, 0.9f, 0.9f], [0f, 0.7f, 0.8f, 0.8f]);
        Assert.Equal([2, 3, 1, 0], ranking);
        Assert.Equal([2, 3], GateSelection.Select(ranking, [0.5f, 0.9f, 0.9f, 0.9f], 2, 0f));
    }

    [Fact]
    public void Bad_arguments_name_the_parameter()
    {
        int[] ranking = [1, 0];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GateSelection.Select(ranking, [1f, 2f], 3, 0f));
        Assert.Equal(("maximumCount", true), (e.ParamName, e.Message.Contains("k from 1 to the slot count 2")));
        Assert.Equal("maximumCount", Assert.Throws<ArgumentOutOfRangeException>(() => GateSelection.Select(ranking, [1f, 2f], 0, 0f)).ParamName);
        var r = Assert.Throws<ArgumentException>(() => GateSelection.Select(ranking, [1f], 1, 0f));
        Assert.Equal(("ranking", true), (r.ParamName, r.Message.Contains("a ranking of 1 slots, got 2")));
        var none = Assert.Throws<ArgumentException>(() => GateSelection.Select([], [], null, 0.5f));
        Assert.Equal(("ranking", true), (none.ParamName, none.Message.Contains("at least one slot")));
        var p = Assert.Throws<ArgumentException>(() => GateSelection.Rank([1f, 2f], [1f]));
        Assert.Equal(("keepProbability", true), (p.ParamName, p.Message.Contains("2 keep probabilities, got 1")));
    }
}

/// <summary>The error bound of stability selection and the threshold derived from it, against values worked by hand.</summary>
public class FalseSelectionBoundTests
{
    [Fact]
    public void Bound_is_the_mean_squared_groups_times_selected_over_slots_times_two_tau_minus_one()
    {
        // 2 groups, 5 slots selected in every fit: E[(G q)^2] = 100; 500 slots; tau 0.7: 100 / (0.4 x 500) = 0.5
        Assert.Equal(0.5, FalseSelectionBound.ExpectedFalseSelections(100, 500, 0.7), 12);
        Assert.Equal(double.PositiveInfinity, FalseSelectionBound.ExpectedFalseSelections(100, 500, 0.5));
        Assert.Equal(double.PositiveInfinity, FalseSelectionBound.ExpectedFalseSelections(100, 500, 0.3));
        // at tau = 1/2 the bound says nothing, even when no fit selected anything (not 0 / 0)
        Assert.Equal(double.PositiveInfinity, FalseSelectionBound.ExpectedFalseSelections(0, 500, 0.5));
    }

    [Fact]
    public void Threshold_meets_the_target_where_it_can_and_stays_in_the_recommended_range()
    {
        // tau = (1 + 100 / (500 x 0.25)) / 2 = 0.9 exactly; its bound is the target
        Assert.Equal(0.9f, FalseSelectionBound.Threshold(100, 500, 0.25), 6);
        Assert.Equal(0.25, FalseSelectionBound.ExpectedFalseSelections(100, 500, 0.9), 6);
        // a loose target would allow tau below 0.6: clamped up
        Assert.Equal(0.6f, FalseSelectionBound.Threshold(4, 500, 1));
        // few slots: the target cannot be met below 0.9; clamped, and the bound there exceeds the target
        Assert.Equal(0.9f, FalseSelectionBound.Threshold(100, 10, 1));
        Assert.True(FalseSelectionBound.ExpectedFalseSelections(100, 10, 0.9) > 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => FalseSelectionBound.Threshold(1, 10, 0));
        Assert.Equal(("target", true), (e.ParamName, e.Message.Contains("a target > 0")));
    }
}

/// <summary>The automatic L0 strength.</summary>
public class L0StrengthRuleTests
{
    [Fact]
    public void Is_twice_half_log_rows_plus_log_slots()
    {
        Assert.Equal(2 * (0.5 * Math.Log(975) + Math.Log(250)), L0StrengthRule.ExtendedBic(975, 250), 4);
        Assert.Equal(Math.Log(100), L0StrengthRule.ExtendedBic(100, 1), 4); // one candidate: nothing to pay for choosing
        Assert.Equal(Math.Log(2), L0StrengthRule.ExtendedBic(1, 1), 6); // never 0, which a fit would reject
    }
}
