using Ml.Relaxation.Data;
using Ml.Relaxation.Engine;
using Ml.Relaxation.Models.GatedSelection;
using Ml.Relaxation.Parallelism;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>The search for k slots that predict well together, and the held-out check against the k best by score.</summary>
public class JointSubsetSearchTests
{
    private const int Rows = 400, Slots = 6;

    [Fact]
    public void Where_the_best_scores_are_two_copies_it_keeps_one_copy_and_the_other_signal()
    {
        // Slots 0 and 1 are near copies of a, slot 2 is b, the label needs a and b; the scores rank the copies first.
        var (x, y) = Data((a, b, _) => a + b > 0, seed: 1);
        var scores = Scores([1f, 1f, 0.9f, 0f, 0f, 0f]);
        int[] ranking = GateSelection.Rank(scores.SelectionFrequency, scores.KeepProbability);
        JointSubset found = Run(x, y, scores, ranking, k: 2);

        // a alone tells the sign of a + b three times in four (cross-entropy about 0.4 nats); a with b, nearly always
        Assert.True(found.TopScoresHoldoutLoss > 0.3, $"held-out loss {found.TopScoresHoldoutLoss} for the copies");
        Assert.True(found.SubsetHoldoutLoss < 0.2, $"held-out loss {found.SubsetHoldoutLoss} for the subset");
        Assert.True(found.SubsetWins);
        int[] kept = [.. found.SubsetRanking.Take(2).Order()];
        Assert.True(kept is [0, 2] or [1, 2], $"kept {string.Join(", ", kept)}");
        Assert.Equal(1f, found.SubsetFrequency[2]);
        Assert.All(found.SubsetFrequency[4..], f => Assert.Equal(0f, f)); // outside the pool of 2k = 4
    }

    [Fact]
    public void Where_the_best_scores_already_predict_best_they_stay()
    {
        // The label is an XOR of slots 0 and 1 (neither helps alone); slot 2 correlates with the label weakly.
        var (x, y) = Data((a, b, r) => (a > 0) != (b > 0), seed: 2, weak: true);
        var scores = Scores([1f, 1f, 0.5f, 0f, 0f, 0f]);
        int[] ranking = GateSelection.Rank(scores.SelectionFrequency, scores.KeepProbability);
        JointSubset found = Run(x, y, scores, ranking, k: 2);
        int[] chosen = [.. (found.SubsetWins ? found.SubsetRanking : ranking).Take(2).Order()];
        Assert.Equal([0, 1], chosen);
    }

    [Fact]
    public void The_result_is_the_same_bits_at_any_thread_count()
    {
        var (x, y) = Data((a, b, _) => a - b > 0, seed: 3);
        var scores = Scores([1f, 0.8f, 0.9f, 0.1f, 0f, 0f]);
        int[] ranking = GateSelection.Rank(scores.SelectionFrequency, scores.KeepProbability);
        JointSubset Once(int threads)
        {
            using var scope = DegreeOfParallelism.Override(threads);
            return Run(x, y, scores, ranking, k: 2, threads: threads);
        }
        JointSubset one = Once(1), two = Once(2);
        Assert.Equal(one.SubsetFrequency, two.SubsetFrequency);
        Assert.Equal(one.SubsetRanking, two.SubsetRanking);
        Assert.Equal(one.TopScoresHoldoutLoss, two.TopScoresHoldoutLoss);
        Assert.Equal(one.SubsetHoldoutLoss, two.SubsetHoldoutLoss);
    }

    [Theory]
    [InlineData(71, 128, 50, 1000, 1000)] // a wine half: one batch per epoch, so 1,000 epochs
    [InlineData(227, 100, 100, 334, 1002)] // 3 batches per epoch: 334 epochs reach the minimum
    [InlineData(975, 128, 50, 125, 1000)] // a MADELON half: 8 batches per epoch
    [InlineData(83886, 128, 2, 2, 1312)] // large halves: the epochs asked for already give more steps
    public void A_fit_runs_the_epochs_asked_for_or_enough_for_the_minimum_steps(int rows, int batch, int epochs, int expectedEpochs, long expectedSteps)
    {
        // steps per epoch = ceil(rows / batch); epochs = max(asked, ceil(1000 / steps per epoch)); steps = epochs x that
        Assert.Equal((expectedEpochs, expectedSteps), JointSubsetSearch.FitLength(rows, batch, epochs));
    }

    [Fact]
    public void Bad_arguments_name_themselves()
    {
        var (x, y) = Data((a, b, _) => a > 0, seed: 4);
        var scores = Scores(new float[Slots]);
        int[] ranking = [.. Enumerable.Range(0, Slots)];
        string Name(Action run) => Assert.ThrowsAny<ArgumentException>(run).ParamName!;
        Assert.Equal("k", Name(() => Run(x, y, scores, ranking, k: 0)));
        Assert.Equal("k", Name(() => Run(x, y, scores, ranking, k: Slots + 1)));
        Assert.Equal("ranking", Name(() => Run(x, y, scores, ranking[1..], k: 2)));
        Assert.Equal("rounds", Name(() => JointSubsetSearch.Run(Settings, Scaling, x, y, scores, ranking, 2, rounds: 0, seed: 1, threads: 1)));
        Assert.Equal("scores", Name(() => Run(x, y, null!, ranking, k: 2)));
        Assert.Equal("ranking", Name(() => Run(x, y, scores, null!, k: 2)));
        Assert.Equal("settings", Name(() => JointSubsetSearch.Run(null!, Scaling, x, y, scores, ranking, 2, 1, 1, 1)));
        Assert.Equal("scaling", Name(() => JointSubsetSearch.Run(Settings, null!, x, y, scores, ranking, 2, 1, 1, 1)));
        Assert.Equal("features", Name(() => JointSubsetSearch.Run(Settings, Scaling, null!, y, scores, ranking, 2, 1, 1, 1)));
        Assert.Equal("targets", Name(() => JointSubsetSearch.Run(Settings, Scaling, x, null!, scores, ranking, 2, 1, 1, 1)));
        var narrow = new FeatureScaling(new float[Slots - 1], new float[Slots - 1]);
        var e = Assert.ThrowsAny<ArgumentException>(() => JointSubsetSearch.Run(Settings, narrow, x, y, scores, ranking, 2, 1, 1, 1));
        Assert.Equal(("scaling", true), (e.ParamName, e.Message.Contains($"a scaling of {Slots} slots, got {Slots - 1}")));
        var t = Assert.ThrowsAny<ArgumentException>(() => JointSubsetSearch.Run(Settings, Scaling, x, new Matrix(Rows - 1, 1), scores, ranking, 2, 1, 1, 1));
        Assert.Equal(("targets", true), (t.ParamName, t.Message.Contains($"[{Rows} x 1] targets, got [{Rows - 1} x 1]")));
        Assert.Contains($"k from 1 to the slot count {Slots}", Assert.ThrowsAny<ArgumentException>(() => Run(x, y, scores, ranking, k: 0)).Message);
        Assert.Contains($"a ranking of {Slots} slots, got {Slots - 1}", Assert.ThrowsAny<ArgumentException>(() => Run(x, y, scores, ranking[1..], k: 2)).Message);
        Assert.Contains("at least 1 round", Assert.ThrowsAny<ArgumentException>(
            () => JointSubsetSearch.Run(Settings, Scaling, x, y, scores, ranking, 2, rounds: 0, seed: 1, threads: 1)).Message);
        Assert.True(JointSubset(1.0, 0.5).SubsetWins);
        Assert.False(JointSubset(0.5, 0.5).SubsetWins); // a tie keeps the best by score
    }

    [Fact]
    public void Equal_candidate_sets_tie_and_progress_counts_every_fit_once()
    {
        // With k = D both candidate sets are every slot: their fits are the same fits, so the losses are equal and the
        // ranking by score is kept. Progress: 2 rounds x 2 halves Concrete selector fits, then 2 sets x 4 head-only fits.
        var (x, y) = Data((a, b, _) => a > 0, seed: 5, rows: 40);
        var scores = Scores([0.2f, 1f, 0.6f, 0f, 0.4f, 0.8f]);
        int[] ranking = GateSelection.Rank(scores.SelectionFrequency, scores.KeepProbability);
        int calls = 0;
        JointSubset found = JointSubsetSearch.Run(Settings with { Epochs = 1 }, Scaling, x, y, scores, ranking, Slots, rounds: 2, seed: 3,
            threads: 2, fitCompleted: () => calls++);
        Assert.Equal(found.TopScoresHoldoutLoss, found.SubsetHoldoutLoss);
        Assert.False(found.SubsetWins);
        Assert.Equal(2 * 2 + 2 * 4, calls);
        Assert.Equal(calls, JointSubsetSearch.FitCount(2));
    }

    [Fact]
    public void A_slot_that_several_units_of_a_fit_pick_counts_once_for_that_fit()
    {
        // The label is the sign of b, slot 2, alone: every fit finds slot 2, and a second unit has nothing to add, so
        // units of a fit share slot 2. Its subset frequency is the share of fits that picked it: 1, not more.
        var (x, y) = Data((a, b, _) => b > 0, seed: 1, rows: 40);
        var scores = Scores([1f, 0.9f, 0.8f, 0f, 0f, 0f]);
        int[] ranking = GateSelection.Rank(scores.SelectionFrequency, scores.KeepProbability);
        JointSubset found = Run(x, y, scores, ranking, k: 2);
        Assert.Equal(1f, found.SubsetFrequency[2]);
        Assert.All(found.SubsetFrequency, f => Assert.InRange(f, 0f, 1f));
        // some fit put both units on slot 2 (else this test would not see shared picks at all)
        Assert.True(found.SubsetFrequency.Sum() < 2, $"frequencies {string.Join(", ", found.SubsetFrequency)}");
    }

    [Fact]
    public void The_units_choose_only_among_the_2k_best_ranked_slots()
    {
        // The label is the sign of b, slot 2, but the scores rank slot 2 last: with k = 2 the pool is slots 0, 1, 3 and
        // 4, so no fit can pick slot 2 (or 5), however much better it predicts.
        var (x, y) = Data((a, b, _) => b > 0, seed: 2, rows: 40);
        var scores = Scores([1f, 0.9f, 0f, 0.8f, 0.7f, 0.6f]);
        int[] ranking = GateSelection.Rank(scores.SelectionFrequency, scores.KeepProbability);
        Assert.Equal([0, 1, 3, 4, 5, 2], ranking);
        JointSubset found = Run(x, y, scores, ranking, k: 2);
        Assert.Equal(0f, found.SubsetFrequency[2]);
        Assert.Equal(0f, found.SubsetFrequency[5]);
        Assert.InRange(found.SubsetFrequency.Sum(), 1f, 2f); // each of the 4 fits picked one or two distinct slots
    }

    [Fact]
    public void The_halves_of_every_round_are_random_and_each_fit_is_measured_on_the_other()
    {
        // One constant slot (standardized to 0): a head-only fit learns its bias, the mean standardized target of the
        // rows it trains on. Four rows with targets 0, 0, 0, 4: a fit on the pair with the 4 has bias 2 and half squared
        // error 0.5 x 2^2 = 2 on the other pair; a fit on two zeros has bias 0 and 0.5 x (0 + 16) / 2 = 4 on the pair
        // with the 4. Whatever the split, a round's two fits average 3 (measured on its own rows, a fit would score 2 or 0).
        var scaling = new FeatureScaling([0f], [0f]);
        var x = new Matrix(4, 1);
        var y = new Matrix(4, 1);
        y[3, 0] = 4;
        JointSubset four = JointSubsetSearch.Run(BiasOnly(0.05f), scaling, x, y, OneSlot, [0], k: 1, rounds: 4, seed: 5, threads: 1);
        Assert.Equal(3, four.TopScoresHoldoutLoss, 0.02);

        // 40 rows, the first 20 with target 1 and the rest -1. Were the halves the rows in their order, every fit would
        // learn +-1 and score 0.5 x 2^2 = 2 on the other half. Random halves of 20 hold a share of each: a half with mean
        // m leaves -m to the other, and the held-out loss is 0.5 (1 + 3 m^2), below 1 unless |m| > 0.58 (about 3.6 standard
        // deviations of m for a random half).
        var x40 = new Matrix(40, 1);
        var y40 = new Matrix(40, 1);
        for (int r = 0; r < 40; r++) y40[r, 0] = r < 20 ? 1 : -1;
        JointSubset forty = JointSubsetSearch.Run(BiasOnly(0.05f), scaling, x40, y40, OneSlot, [0], k: 1, rounds: 2, seed: 5, threads: 1);
        Assert.InRange(forty.TopScoresHoldoutLoss, 0.5, 1);
    }

    [Fact]
    public void Each_head_only_fit_takes_at_least_the_minimum_steps_of_adam()
    {
        // Every target is 1 and the one slot is constant: each head-only fit is Adam (lr 5e-4, the published defaults)
        // on the bias alone, from 0, with gradient b - 1 (full batches: 64 rows per half, one batch an epoch). After
        // JointSubsetSearch.MinimumSteps steps, simulated here in double, b is about 0.5 and every held-out loss is
        // 0.5 (b - 1)^2; half the steps would leave b near 0.25.
        var x = new Matrix(128, 1);
        var y = new Matrix(128, 1);
        y.AsSpan().Fill(1f);
        JointSubset found = JointSubsetSearch.Run(BiasOnly(5e-4f), new FeatureScaling([0f], [0f]), x, y, OneSlot, [0], k: 1, rounds: 1,
            seed: 6, threads: 1);
        double b = 0, m = 0, v = 0;
        for (int t = 1; t <= JointSubsetSearch.MinimumSteps; t++)
        {
            double g = b - 1;
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            b -= 5e-4 * (m / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v / (1 - Math.Pow(0.999, t))) + 1e-8);
        }
        Assert.InRange(b, 0.3, 0.7);
        Assert.Equal(0.5 * (b - 1) * (b - 1), found.TopScoresHoldoutLoss, 1e-4);
    }

    [Fact]
    public void A_cancelled_search_stops_before_any_fit_reports()
    {
        var (x, y) = Data((a, b, _) => a > 0, seed: 6, rows: 40);
        var scores = Scores([1f, 0.5f, 0f, 0f, 0f, 0f]);
        int[] ranking = GateSelection.Rank(scores.SelectionFrequency, scores.KeepProbability);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        int calls = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => JointSubsetSearch.Run(Settings, Scaling, x, y, scores, ranking, 2, rounds: 1,
            seed: 1, threads: 1, () => calls++, cancelled.Token));
        Assert.Equal(0, calls);
    }

    [Fact]
    public void Each_head_fit_is_held_out_on_the_row_it_did_not_train_on()
    {
        // One constant slot (standardized to 0): the head learns only its bias, toward the one standardized target it
        // trains on. With two rows, targets +1 and -1, each fit trains on one and is measured on the other: half the
        // squared error is 0.5 (1 - (-1))^2 = 2. Trained on both, it would be 0.5; measured on its own row, 0. A single
        // row serves as both halves: the loss is then about 0.
        var settings = BiasOnly(0.05f);
        var scaling = new FeatureScaling([0f], [0f]);
        var x = new Matrix(2, 1);
        var y = new Matrix(2, 1);
        y[0, 0] = 1;
        y[1, 0] = -1;
        JointSubset two = JointSubsetSearch.Run(settings, scaling, x, y, OneSlot, [0], k: 1, rounds: 2, seed: 4, threads: 1);
        Assert.Equal(2, two.TopScoresHoldoutLoss, 0.05);
        var one = new Matrix(1, 1);
        one[0, 0] = 1;
        JointSubset single = JointSubsetSearch.Run(settings, scaling, new Matrix(1, 1), one, OneSlot, [0], k: 1, rounds: 1, seed: 4, threads: 1);
        Assert.Equal(0, single.TopScoresHoldoutLoss, 0.05);
    }

    private static JointSubset JointSubset(double topScores, double subset) => new([], [], topScores, subset);

    /// <summary>Regression with a linear head, full batches of up to 64 rows, no weight decay: a fit on a constant slot learns its bias alone.</summary>
    private static GatedSelectorSettings BiasOnly(float learningRate) => new()
    {
        Task = LabelTask.Regression, HiddenSizes = [], BatchSize = 64, Epochs = 1, LearningRate = learningRate, HeadWeightDecay = 0f,
    };

    /// <summary>The scores of a single slot.</summary>
    private static readonly StabilityScores OneSlot = new([1f], [1f], [2], 4, 2, 1, 1, 1, 1, 0, 0);

    private static readonly GatedSelectorSettings Settings = new() { HiddenSizes = [8], BatchSize = 64, Epochs = 10 };

    private static readonly FeatureScaling Scaling = new(new float[Slots], Enumerable.Repeat(1f, Slots).ToArray());

    private static JointSubset Run(Matrix x, Matrix y, StabilityScores scores, IReadOnlyList<int> ranking, int k, int threads = 2) =>
        JointSubsetSearch.Run(Settings, Scaling, x, y, scores, ranking, k, rounds: 2, seed: 7, threads);

    private static StabilityScores Scores(float[] frequency) =>
        new(frequency, frequency, [.. frequency.Select(_ => 2)], 4, 2, 1, 1, 1, 1, 0, 0);

    /// <summary>Slots 0 and 1: near copies of a (or a and b with <paramref name="weak"/>); slot 2: b (or a weak copy of the label); the rest noise.</summary>
    private static (Matrix X, Matrix Y) Data(Func<float, float, int, bool> label, ulong seed, bool weak = false, int rows = Rows)
    {
        var rng = new RandomSource(seed, stream: 5);
        var x = new Matrix(rows, Slots);
        var y = new Matrix(rows, 1);
        for (int r = 0; r < rows; r++)
        {
            float[] z = SelectionData.Normals(rng, Slots + 2);
            float a = z[0], b = z[1];
            bool positive = label(a, b, r);
            x[r, 0] = a + (weak ? 0 : 0.1f * z[2]);
            x[r, 1] = weak ? b : a + 0.1f * z[3];
            x[r, 2] = weak ? (positive ? 0.3f : -0.3f) + z[4] : b;
            for (int j = 3; j < Slots; j++) x[r, j] = z[j + 2];
            y[r, 0] = positive ? 1 : 0;
        }
        return (x, y);
    }
}
