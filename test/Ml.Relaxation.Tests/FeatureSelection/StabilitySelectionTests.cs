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
        Assert.True(scores.MeanTrainingLoss > 0);
        Assert.Equal(scores.MeanTrainingLoss, scores.MeanHoldoutLoss); // the same row, evaluated by the same two models
    }

    /// <summary>
    /// Settings under which no fit learns anything: gates shut (test-time gate 0 at keep probability 0.05) or open (0.95)
    /// and frozen, and a head that barely moves from its zero biases, so every fit's outcome is known in advance.
    /// </summary>
    private static GatedSelectorSettings Frozen(float keepProbability) => Fit with
    {
        Epochs = 2, GateLearningRate = 1e-9f, LearningRate = 1e-30f, InitialKeepProbability = keepProbability, L0Strength = 1f,
    };

    /// <summary>P(z != 0) = sigmoid(log_alpha - beta log(-gamma / zeta)) at log_alpha = logit(p), worked out here.</summary>
    private static double KeepProbability(double p) => 1 / (1 + Math.Exp(-(Math.Log(p / (1 - p)) - 2.0 / 3.0 * Math.Log(0.1 / 1.1))));

    [Fact]
    public void Frozen_open_gates_give_every_fit_its_whole_group_and_the_bound_terms_follow()
    {
        // 9 slots in 2 groups: every round has a group of 5 and one of 4, each fitted on both halves. Every fit selects all
        // its slots, so q is 5 or 4 equally often: E[q] = 4.5, E[q^2] = (25 + 16) / 2 = 20.5, E[(G q)^2] = 4 x 20.5 = 82.
        var (x, y, scaling) = Data(40, 9, 5);
        var scores = StabilitySelection.Run(Frozen(0.95f), scaling, x, y, new StabilityDesign(3, 2, 8, L0Strength: 0.5f), threads: 2);
        Assert.Equal(12, scores.FitCount);
        Assert.Equal(3, scores.Rounds);
        Assert.Equal(4.5, scores.MeanSelected, 12);
        Assert.Equal(20.5, scores.MeanSquaredSelected, 12);
        Assert.Equal(82, scores.MeanSquaredGroupsTimesSelected, 12);
        Assert.All(scores.SelectionFrequency, f => Assert.Equal(1f, f));
        Assert.All(scores.KeepProbability, p => Assert.Equal(KeepProbability(0.95), p, 1e-5));
    }

    [Fact]
    public void Frozen_shut_gates_select_nothing_and_the_scores_keep_the_mean_keep_probability()
    {
        var (x, y, scaling) = Data(40, 5, 5);
        var scores = StabilitySelection.Run(Frozen(0.05f), scaling, x, y, new StabilityDesign(2, 1, 8), threads: 1);
        Assert.Equal(0, scores.MeanSelected);
        Assert.Equal(0, scores.MeanSquaredGroupsTimesSelected);
        Assert.All(scores.SelectionFrequency, f => Assert.Equal(0f, f));
        Assert.All(scores.KeepProbability, p => Assert.Equal(KeepProbability(0.05), p, 1e-5));
    }

    [Fact]
    public void The_halves_of_a_round_are_disjoint_and_cover_every_row()
    {
        // Regression with shut gates and a head that stays at zero: each fit predicts 0 for the standardized target t',
        // so its loss on a set of rows is half the mean of t'^2 there. Two halves of n / 2 rows that are disjoint and
        // cover the rows average to half the mean of t'^2 over all rows, in training (each half trains one fit) and held out.
        const int n = 30;
        var (x, _, _) = Data(n, 4, 6);
        var t = new Matrix(n, 1);
        for (int r = 0; r < n; r++) t[r, 0] = r % 7 - 2.5f + 0.1f * r;
        var scaling = new FeatureScaling(new float[4], [1f, 1f, 1f, 1f], targetMean: 0.5f, targetStd: 2f);
        var settings = Frozen(0.05f) with { Task = Ml.Relaxation.Data.LabelTask.Regression };
        var scores = StabilitySelection.Run(settings, scaling, x, t, new StabilityDesign(3, 2, 9), threads: 2);
        double expected = Enumerable.Range(0, n).Average(r => 0.5 * Math.Pow((t[r, 0] - 0.5) / 2, 2));
        Assert.Equal(expected, scores.MeanTrainingLoss, 1e-5);
        Assert.Equal(expected, scores.MeanHoldoutLoss, 1e-5);
    }

    [Fact]
    public void Each_fit_is_held_out_on_the_half_it_did_not_train_on()
    {
        // Two rows with standardized targets +1 and -1, and test-time gates shut: each fit's prediction is its linear head's
        // bias b, learned from 0 toward its own row's target, so its training loss is (1 - |b|)^2 / 2 and its held-out loss
        // (1 + |b|)^2 / 2, larger by 2 |b|. Held out on its own row, the two would be equal.
        var (x, _, _) = Data(2, 3, 8);
        var t = new Matrix([1f, -1f], 2, 1);
        var scaling = new FeatureScaling(new float[3], [1f, 1f, 1f]);
        var settings = Frozen(0.05f) with
        {
            Task = Ml.Relaxation.Data.LabelTask.Regression, HiddenSizes = [], LearningRate = 0.1f, HeadWeightDecay = 0f, Epochs = 5, BatchSize = 1,
        };
        var scores = StabilitySelection.Run(settings, scaling, x, t, new StabilityDesign(1, 1, 3), threads: 1);
        // over the two fits: training + held out = 1 + mean b^2, held out - training = 2 mean |b|, with every |b| in (0, 1)
        double sum = scores.MeanTrainingLoss + scores.MeanHoldoutLoss, difference = scores.MeanHoldoutLoss - scores.MeanTrainingLoss;
        Assert.True(difference > 0.2, $"training loss {scores.MeanTrainingLoss}, held-out loss {scores.MeanHoldoutLoss}");
        Assert.InRange(sum - 1, Math.Pow(difference / 2, 2) - 1e-6, difference / 2 + 1e-6);
    }

    [Fact]
    public void Progress_counts_every_fit_once_and_cancellation_stops_the_run()
    {
        var (x, y, scaling) = Data(20, 4, 7);
        var calls = new List<(int Done, int Total)>();
        var scores = StabilitySelection.Run(Fit with { Epochs = 1 }, scaling, x, y, new StabilityDesign(2, 2, 1), threads: 2,
            fitCompleted: (done, total) => calls.Add((done, total)));
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (i, 8)), calls);
        Assert.Equal(8, scores.FitCount);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        calls.Clear();
        Assert.ThrowsAny<OperationCanceledException>(() => StabilitySelection.Run(Fit with { Epochs = 1 }, scaling, x, y,
            new StabilityDesign(2, 2, 1), threads: 1, (done, total) => calls.Add((done, total)), cancelled.Token));
        Assert.Empty(calls);
    }

    [Fact]
    public void Bad_data_and_settings_name_the_argument()
    {
        var (x, y, scaling) = Data(10, 3, 4);
        var design = new StabilityDesign(1, 1, 1);
        string Name(Action run) => Assert.ThrowsAny<ArgumentException>(run).ParamName!;
        Assert.Equal("settings", Name(() => StabilitySelection.Run(null!, scaling, x, y, design, 1)));
        Assert.Equal("scaling", Name(() => StabilitySelection.Run(Fit, null!, x, y, design, 1)));
        Assert.Equal("features", Name(() => StabilitySelection.Run(Fit, scaling, null!, y, design, 1)));
        Assert.Equal("targets", Name(() => StabilitySelection.Run(Fit, scaling, x, null!, design, 1)));
        void Bad(Action run, string name, string message)
        {
            var e = Assert.ThrowsAny<ArgumentException>(run);
            Assert.Equal(name, e.ParamName);
            Assert.Contains(message, e.Message);
        }
        Bad(() => StabilitySelection.Run(Fit, scaling, new Matrix(0, 3), new Matrix(0, 1), design, 1), "features", "at least one row");
        Bad(() => StabilitySelection.Run(Fit, scaling, x, new Matrix(9, 1), design, 1), "targets", "[10 x 1] targets, got [9 x 1]");
        Bad(() => StabilitySelection.Run(Fit, scaling, x, new Matrix(10, 2), design, 1), "targets", "[10 x 1] targets, got [10 x 2]");
        Bad(() => StabilitySelection.Run(Fit, new FeatureScaling(new float[2], new float[2]), x, y, design, 1), "scaling", "a scaling of 3 slots, got 2");
        Assert.Equal("Epochs", Name(() => StabilitySelection.Run(Fit with { Epochs = 0 }, scaling, x, y, design, 1)));
        foreach (float l in new[] { 0f, float.NaN, float.PositiveInfinity })
            Assert.Equal("L0Strength", Name(() => StabilitySelection.Run(Fit, scaling, x, y, design with { L0Strength = l }, 1)));
    }

    [Fact]
    public void A_design_is_checked_by_itself_naming_the_setting()
    {
        void Bad(StabilityDesign design, string name, string message)
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(design.Validate);
            Assert.Equal(name, e.ParamName);
            Assert.Contains(message, e.Message);
        }
        foreach (float l in new[] { 0f, -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            Bad(new StabilityDesign(1, 1, 1, l), "L0Strength", "finite L0 strength > 0, or null");
        Bad(new StabilityDesign(0, 1, 1), "Rounds", "at least 1 round");
        Bad(new StabilityDesign(1, 0, 1), "SlotGroups", "at least 1 slot group");
        new StabilityDesign(1, 1, 1).Validate();
        new StabilityDesign(1, 1, 1, float.Epsilon).Validate();
        new StabilityDesign(1, 1, 1, float.MaxValue).Validate();
    }

    [Fact]
    public void A_given_l0_strength_is_every_fits_and_without_one_each_fit_takes_the_rule_for_its_rows_and_slots()
    {
        // lambda = 10,000 nats: more than any slot can save on 200 rows, so every gate shuts (48 gate steps of 0.1 take
        // log_alpha from logit(0.7) to about -4). Without a strength, each fit of 200 rows and 3 slots (2 groups of 6)
        // takes the rule's, so its scores are those of a design that gives that strength.
        var (x, y, scaling) = Data(400, 6, 9);
        var strong = StabilitySelection.Run(Fit, scaling, x, y, new StabilityDesign(1, 1, 4, L0Strength: 1e4f), threads: 2);
        Assert.Equal(0, strong.MeanSelected);
        var automatic = StabilitySelection.Run(Fit, scaling, x, y, new StabilityDesign(2, 2, 4), threads: 2);
        var given = StabilitySelection.Run(Fit, scaling, x, y, new StabilityDesign(2, 2, 4, L0StrengthRule.ExtendedBic(200, 3)), threads: 2);
        Assert.Equal(given.KeepProbability, automatic.KeepProbability);
        Assert.Equal(given.MeanHoldoutLoss, automatic.MeanHoldoutLoss);
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
