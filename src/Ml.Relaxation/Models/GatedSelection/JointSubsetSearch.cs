using Ml.Relaxation.Engine;
using Ml.Relaxation.Parallelism;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>
/// The choice of exactly k slots that predict well together, for a selector given k. Stability selection scores each
/// slot on its own; when k is smaller than the set of relevant slots, its top k can spend the budget on slots that
/// carry the same information. This search runs the <see cref="ConcreteSelectorModel"/> with k units over the
/// <see cref="PoolFactor"/> k best-ranked slots, on both halves of <see cref="StabilityDesign.Rounds"/> random splits,
/// and scores each slot by the share of those fits that picked it. It then fits the head alone on the top k by
/// stability score and on the top k by that subset frequency, each on every half, measures both on the complementary
/// halves, and keeps the subset only when it predicts better there.
/// </summary>
/// <remarks>
/// <para>
/// Why the check: the units of a Concrete selector settle one slot at a time, so where the label depends on an
/// interaction of several slots (none of which helps alone) the units pile onto the first slot they find and fill the
/// rest at random. The stability scores find such slots (each fit's gates open together); the held-out loss tells
/// which of the two choices holds more of the label's information.
/// </para>
/// <para>
/// Every fit's randomness derives from the seed and the fit's index, and results are combined in index order, so the
/// choice is the same at any thread count.
/// </para>
/// </remarks>
internal sealed class JointSubsetSearch : IPartitionedWork
{
    /// <summary>The units choose among this many times k best-ranked slots (all slots when fewer).</summary>
    public const int PoolFactor = 2;

    /// <summary>Optimizer steps of each fit at least (epochs are added on small halves): the temperature needs steps to fall.</summary>
    public const int MinimumSteps = 1000;

    /// <summary>Adam learning rate of the units' logits.</summary>
    public const float LogitLearningRate = 0.05f;

    private const ulong SplitStream = 0x53554253455453; // "SUBSETS"

    private readonly GatedSelectorSettings _settings;
    private readonly FeatureScaling _scaling;
    private readonly Matrix _features, _targets;
    private readonly int[][] _rowOrders;
    private readonly ulong _seed;
    private readonly Action? _fitCompleted;
    private readonly CancellationToken _cancellationToken;
    private readonly Lock _progressLock = new();
    private int[] _slots = [];
    private int _units;
    private bool _fixedSlots;
    private int[][] _picks = [];
    private double[] _holdoutLosses = [];

    private JointSubsetSearch(GatedSelectorSettings settings, FeatureScaling scaling, Matrix features, Matrix targets, int rounds, ulong seed,
        Action? fitCompleted, CancellationToken cancellationToken)
    {
        _settings = settings;
        _scaling = scaling;
        _features = features;
        _targets = targets;
        _seed = seed;
        _fitCompleted = fitCompleted;
        _cancellationToken = cancellationToken;
        _rowOrders = new int[rounds][];
        for (int r = 0; r < rounds; r++)
        {
            var rng = new RandomSource(seed, SplitStream).Derive((ulong)r);
            _rowOrders[r] = [.. Enumerable.Range(0, features.Rows)];
            rng.Shuffle(_rowOrders[r].AsSpan());
        }
    }

    /// <summary>
    /// Fits reported by <see cref="Run"/>: Concrete selector fits, then head-only fits of the two candidate sets (when they
    /// are the same set, its fits run once and count for both).
    /// </summary>
    public static int FitCount(int rounds) => 2 * rounds + 4 * rounds;

    /// <summary>
    /// Searches for k slots that predict well together and compares them with <paramref name="ranking"/>'s first k.
    /// </summary>
    /// <param name="settings">The head's settings (seeds derive from <paramref name="seed"/>).</param>
    /// <param name="scaling">Standardization fitted on all training rows.</param>
    /// <param name="features">[N x D] raw features, N &gt;= 1.</param>
    /// <param name="targets">[N x 1] targets.</param>
    /// <param name="scores">The stability scores the ranking came from (they break ties in the subset frequency).</param>
    /// <param name="ranking">Every slot, best first by stability score.</param>
    /// <param name="k">Slots to keep, from 1 to D.</param>
    /// <param name="rounds">Random half-sample splits (2 fits each, per candidate set too).</param>
    /// <param name="seed">Seed of the splits and fits.</param>
    /// <param name="threads">Fits computed at once.</param>
    /// <param name="fitCompleted">Called after each fit, one call at a time; or null.</param>
    /// <param name="cancellationToken">Checked before every mini-batch of every fit.</param>
    public static JointSubset Run(GatedSelectorSettings settings, FeatureScaling scaling, Matrix features, Matrix targets,
        StabilityScores scores, IReadOnlyList<int> ranking, int k, int rounds, ulong seed, int threads, Action? fitCompleted = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(scaling);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(ranking);
        int d = features.Cols;
        if (ranking.Count != d) throw new ArgumentException($"Expected a ranking of {d} slots, got {ranking.Count}.", nameof(ranking));
        if (scaling.FeatureCount != d)
            throw new ArgumentException($"Expected a scaling of {d} slots, got {scaling.FeatureCount}.", nameof(scaling));
        if (targets.Rows != features.Rows || targets.Cols != 1)
            throw new ArgumentException($"Expected [{features.Rows} x 1] targets, got [{targets.Rows} x {targets.Cols}].", nameof(targets));
        if (k < 1 || k > d) throw new ArgumentOutOfRangeException(nameof(k), k, $"Expected k from 1 to the slot count {d}.");
        if (rounds < 1) throw new ArgumentOutOfRangeException(nameof(rounds), rounds, "Expected at least 1 round.");
        var search = new JointSubsetSearch(settings, scaling, features, targets, rounds, seed, fitCompleted, cancellationToken);
        threads = Math.Max(1, threads);

        // the Concrete selector fits on the pool
        int[] pool = [.. ranking.Take(Math.Min(d, PoolFactor * k)).Order()];
        search._slots = pool;
        search._units = k;
        search._picks = new int[2 * rounds][];
        WorkerPool.Shared.Run(search, 2 * rounds, threads);
        cancellationToken.ThrowIfCancellationRequested();
        var frequency = new float[d];
        foreach (int[] picks in search._picks)
            foreach (int j in picks.Distinct()) frequency[j] += 1f;
        for (int j = 0; j < d; j++) frequency[j] /= 2 * rounds;
        int[] subsetRanking = GateSelection.RankBySubset(frequency, scores.SelectionFrequency, scores.KeepProbability);

        // the head alone on each candidate set, measured on the complementary halves; both sets get the same halves and
        // the same fit seeds (common random numbers), so the comparison sees the sets, and equal sets tie
        int[] topScores = [.. ranking.Take(k).Order()], subset = [.. subsetRanking.Take(k).Order()];
        double topScoresLoss = search.HoldoutLoss(topScores, rounds, threads);
        double subsetLoss;
        if (!topScores.SequenceEqual(subset)) subsetLoss = search.HoldoutLoss(subset, rounds, threads);
        else
        {
            subsetLoss = topScoresLoss; // the same fits would give the same loss: counted as done
            for (int i = 0; i < 2 * rounds; i++) fitCompleted?.Invoke();
        }
        return new JointSubset(frequency, subsetRanking, topScoresLoss, subsetLoss);
    }

    private double HoldoutLoss(int[] slots, int rounds, int threads)
    {
        _slots = slots;
        _units = slots.Length;
        _fixedSlots = true;
        _holdoutLosses = new double[2 * rounds];
        WorkerPool.Shared.Run(this, 2 * rounds, threads);
        _cancellationToken.ThrowIfCancellationRequested();
        return _holdoutLosses.Sum() / _holdoutLosses.Length;
    }

    void IPartitionedWork.RunPart(int part, int parts)
    {
        if (_cancellationToken.IsCancellationRequested) return;
        int round = part / 2, half = part % 2;
        int n = _features.Rows, halfRows = Math.Max(1, n / 2);
        int[] order = _rowOrders[round];
        // disjoint halves (one row of an odd count left out); a single row serves as both
        int[] rows = n < 2 ? order : order[(half * halfRows)..((half + 1) * halfRows)];
        int[] holdout = n < 2 ? order : order[((1 - half) * halfRows)..((2 - half) * halfRows)];

        // head-only fits take seeds after those of the Concrete selector fits
        var settings = _settings with { Seed = FitSeed(_fixedSlots ? _rowOrders.Length * 2 + part : part) };
        var (epochs, steps) = FitLength(rows.Length, settings.BatchSize, settings.Epochs);
        var model = new ConcreteSelectorModel(settings, _scaling.Subset(_slots), _units, steps, _fixedSlots);
        var train = new InMemoryBatchSource(_features, _targets, settings.BatchSize, settings.Seed, shuffle: true, rows, _slots);
        IOptimizer optimizer = _fixedSlots
            ? new Adam(model.HeadParameters, settings.LearningRate, weightDecay: settings.HeadWeightDecay)
            : new GateAndHeadOptimizer(model.Logits, model.HeadParameters, LogitLearningRate, settings.LearningRate, settings.HeadWeightDecay);
        TrainingLoop.Run(model, train, null, new TrainingOptions { Epochs = epochs, Optimizer = optimizer }, _cancellationToken);
        if (_fixedSlots)
            _holdoutLosses[part] = model.Evaluate(new InMemoryBatchSource(_features, _targets, settings.BatchSize, 0, shuffle: false, holdout, _slots),
                new Dictionary<string, double>());
        else _picks[part] = [.. model.SelectedSlots().Select(i => _slots[i])];
        lock (_progressLock) _fitCompleted?.Invoke();
    }

    /// <summary>
    /// Epochs and optimizer steps of one fit on <paramref name="rows"/> rows: at least <paramref name="epochs"/> epochs
    /// and at least <see cref="MinimumSteps"/> steps. The Concrete fits need the steps for their temperature to fall;
    /// the head-only fits get as many, so the comparison measures heads trained as long as the units' head.
    /// </summary>
    internal static (int Epochs, long Steps) FitLength(int rows, int batchSize, int epochs)
    {
        int stepsPerEpoch = (rows + batchSize - 1) / batchSize;
        int length = Math.Max(epochs, (MinimumSteps + stepsPerEpoch - 1) / stepsPerEpoch);
        return (length, (long)length * stepsPerEpoch);
    }

    /// <summary>64 random bits for fit <paramref name="fit"/>: the key of its initialization, noise and shuffles.</summary>
    private ulong FitSeed(int fit)
    {
        Span<uint> bits = stackalloc uint[2];
        new RandomSource(_seed, SplitStream + 1).Derive((ulong)fit).FillBits(0, bits);
        return (ulong)bits[0] << 32 | bits[1];
    }
}

/// <summary>What <see cref="JointSubsetSearch"/> found.</summary>
/// <param name="SubsetFrequency">Per slot, the share of the Concrete selector fits that picked it (0 outside the pool).</param>
/// <param name="SubsetRanking">Every slot, best first: subset frequency, then stability score, keep probability, lower index.</param>
/// <param name="TopScoresHoldoutLoss">Mean held-out task loss of the head on the top k by stability score.</param>
/// <param name="SubsetHoldoutLoss">The same on the top k by subset frequency.</param>
internal sealed record JointSubset(float[] SubsetFrequency, int[] SubsetRanking, double TopScoresHoldoutLoss, double SubsetHoldoutLoss)
{
    /// <summary>Whether the subset predicts strictly better on held-out rows, and so is kept.</summary>
    public bool SubsetWins => SubsetHoldoutLoss < TopScoresHoldoutLoss;
}
