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
        Assert.True(JointSubset(1.0, 0.5).SubsetWins);
        Assert.False(JointSubset(0.5, 0.5).SubsetWins); // a tie keeps the best by score
    }

    private static JointSubset JointSubset(double topScores, double subset) => new([], [], topScores, subset);

    private static readonly GatedSelectorSettings Settings = new() { HiddenSizes = [8], BatchSize = 64, Epochs = 10 };

    private static readonly FeatureScaling Scaling = new(new float[Slots], Enumerable.Repeat(1f, Slots).ToArray());

    private static JointSubset Run(Matrix x, Matrix y, StabilityScores scores, IReadOnlyList<int> ranking, int k, int threads = 2) =>
        JointSubsetSearch.Run(Settings, Scaling, x, y, scores, ranking, k, rounds: 2, seed: 7, threads);

    private static StabilityScores Scores(float[] frequency) =>
        new(frequency, frequency, [.. frequency.Select(_ => 2)], 4, 2, 1, 1, 1, 1, 0, 0);

    /// <summary>Slots 0 and 1: near copies of a (or a and b with <paramref name="weak"/>); slot 2: b (or a weak copy of the label); the rest noise.</summary>
    private static (Matrix X, Matrix Y) Data(Func<float, float, int, bool> label, ulong seed, bool weak = false)
    {
        var rng = new RandomSource(seed, stream: 5);
        var x = new Matrix(Rows, Slots);
        var y = new Matrix(Rows, 1);
        for (int r = 0; r < Rows; r++)
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
