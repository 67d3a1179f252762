using Ml.Relaxation.Engine;
using Ml.Relaxation.Parallelism;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>
/// Stability selection (Meinshausen and Buhlmann 2010) over the gated model, with complementary pairs of half-samples
/// (Shah and Samworth 2013) and random slot groups. Each round splits the rows into two disjoint random halves and
/// the slots into <see cref="StabilityDesign.SlotGroups"/> random groups of near-equal size, and fits the gated model
/// once per (group, half): every slot is seen by two fits per round, one on each half. A slot's score is the share of
/// the fits that saw it in which its gate ended more likely open than shut (P(z != 0) &gt; 1/2).
/// </summary>
/// <remarks>
/// <para>
/// Why slot groups: one L0 fit keeps a minimal set of slots that explains the label. A slot that is relevant but
/// redundant given others (a copy, a mixture of other relevant slots) then loses to its substitutes in almost every
/// fit, and ranks with the noise. A fit that sees only some of the slots must use whichever relevant slots it sees, so
/// every relevant slot is selected in a share of the fits that saw it, while a noise slot stays shut. This is the
/// randomized lasso of Meinshausen and Buhlmann (penalty weights drawn per variable) in its limit where a variable's
/// penalty is either its usual value or infinite, with the draws balanced so each slot is seen equally often.
/// </para>
/// <para>
/// Fits are independent and run in parallel on the worker pool (each fit's own products then run on its thread).
/// Every fit's randomness derives from the seed and the fit's index, and the results are combined in index order,
/// so the scores are the same bits at any thread count.
/// </para>
/// </remarks>
internal sealed class StabilitySelection : IPartitionedWork
{
    /// <summary>The random stream the rounds' splits derive from.</summary>
    private const ulong SplitStream = 0x535441424C45; // "STABLE"

    private readonly GatedSelectorSettings _settings;
    private readonly FeatureScaling _scaling;
    private readonly Matrix _features, _targets;
    private readonly StabilityDesign _design;
    private readonly (int Round, int Group, int Groups, int Half)[] _plan;
    private readonly int[][] _rowOrders, _slotOrders;
    private readonly FitOutcome?[] _outcomes;
    private readonly Action<int, int>? _fitCompleted;
    private readonly CancellationToken _cancellationToken;
    private readonly Lock _progressLock = new();
    private int _completed;

    private StabilitySelection(GatedSelectorSettings settings, FeatureScaling scaling, Matrix features, Matrix targets,
        StabilityDesign design, Action<int, int>? fitCompleted, CancellationToken cancellationToken)
    {
        _settings = settings;
        _scaling = scaling;
        _features = features;
        _targets = targets;
        _design = design;
        _plan = [.. Enumerable.Range(0, design.Rounds).SelectMany(r =>
        {
            int groups = design.GroupsOfRound(r, features.Cols);
            return Enumerable.Range(0, 2 * groups).Select(i => (r, i / 2, groups, i % 2));
        })];
        _fitCompleted = fitCompleted;
        _cancellationToken = cancellationToken;
        _rowOrders = new int[design.Rounds][];
        _slotOrders = new int[design.Rounds][];
        for (int r = 0; r < design.Rounds; r++)
        {
            var rng = new RandomSource(design.Seed, SplitStream).Derive((ulong)r);
            _rowOrders[r] = [.. Enumerable.Range(0, features.Rows)];
            _slotOrders[r] = [.. Enumerable.Range(0, features.Cols)];
            rng.Shuffle(_rowOrders[r].AsSpan());
            rng.Shuffle(_slotOrders[r].AsSpan());
        }
        _outcomes = new FitOutcome?[FitCount];
    }

    private int FitCount => _plan.Length;

    /// <summary>
    /// Runs every fit of <paramref name="design"/> on the rows of <paramref name="features"/> (raw values) and
    /// <paramref name="targets"/>, on up to <paramref name="threads"/> threads, and returns the per-slot scores.
    /// </summary>
    /// <param name="settings">The settings of each fit; each fit's seed is derived from <see cref="StabilityDesign.Seed"/>.</param>
    /// <param name="scaling">Standardization fitted on all training rows (each fit takes its slots' part).</param>
    /// <param name="features">[N x D] raw features, N &gt;= 1.</param>
    /// <param name="targets">[N x 1] targets.</param>
    /// <param name="design">Rounds, slot groups and seed.</param>
    /// <param name="threads">Fits computed at once.</param>
    /// <param name="fitCompleted">Called with (fits done, fit count) after each fit, one call at a time; or null.</param>
    /// <param name="cancellationToken">Checked before every mini-batch of every fit.</param>
    public static StabilityScores Run(GatedSelectorSettings settings, FeatureScaling scaling, Matrix features, Matrix targets,
        StabilityDesign design, int threads, Action<int, int>? fitCompleted = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(scaling);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        design.Validate();
        if (features.Rows < 1) throw new ArgumentException("Expected at least one row.", nameof(features));
        if (targets.Rows != features.Rows || targets.Cols != 1)
            throw new ArgumentException($"Expected [{features.Rows} x 1] targets, got [{targets.Rows} x {targets.Cols}].", nameof(targets));
        if (scaling.FeatureCount != features.Cols)
            throw new ArgumentException($"Expected a scaling of {features.Cols} slots, got {scaling.FeatureCount}.", nameof(scaling));
        settings.Validate(features.Cols);

        var run = new StabilitySelection(settings, scaling, features, targets, design, fitCompleted, cancellationToken);
        WorkerPool.Shared.Run(run, run.FitCount, Math.Max(1, threads));
        cancellationToken.ThrowIfCancellationRequested();
        return run.Combine();
    }

    /// <summary>Runs fit <paramref name="part"/>.</summary>
    void IPartitionedWork.RunPart(int part, int parts)
    {
        if (_cancellationToken.IsCancellationRequested) return;
        _outcomes[part] = Fit(part);
        lock (_progressLock) _fitCompleted?.Invoke(++_completed, FitCount);
    }

    private FitOutcome Fit(int fit)
    {
        var (round, group, groups, half) = _plan[fit];
        int n = _features.Rows, halfRows = Math.Max(1, n / 2);
        int[] order = _rowOrders[round];
        // disjoint halves (one row of an odd count left out); a single row serves as both
        int[] rows = n < 2 ? order : order[(half * halfRows)..((half + 1) * halfRows)];
        int[] holdout = n < 2 ? order : order[((1 - half) * halfRows)..((2 - half) * halfRows)];
        int[] slots = [.. _slotOrders[round].Where((_, i) => i % groups == group).Order()];

        var settings = _settings with
        {
            Seed = FitSeed(fit),
            L0Strength = _design.L0Strength ?? L0StrengthRule.ExtendedBic(rows.Length, slots.Length),
        };
        var train = Source(rows, slots, settings.BatchSize, shuffleSeed: settings.Seed);
        var heldOut = Source(holdout, slots, settings.BatchSize, shuffleSeed: null);
        GatedFitResult result = GatedSelectorTrainer.Train(settings, _scaling.Subset(slots), train, rows.Length, holdout: heldOut,
            cancellationToken: _cancellationToken);
        return new FitOutcome(slots, groups, result.ProbabilityNonZero, result.SelectedCount, result.TrainingTaskLoss, result.HoldoutTaskLoss);
    }

    /// <summary>64 random bits for fit <paramref name="fit"/>: the key of its initialization, gate noise and shuffles.</summary>
    private ulong FitSeed(int fit)
    {
        Span<uint> bits = stackalloc uint[2];
        new RandomSource(_design.Seed, SplitStream + 1).Derive((ulong)fit).FillBits(0, bits);
        return (ulong)bits[0] << 32 | bits[1];
    }

    /// <summary>A view of the rows and slots of one fit: the sample is shared by every fit, never copied.</summary>
    private InMemoryBatchSource Source(int[] rows, int[] slots, int batchSize, ulong? shuffleSeed) =>
        new(_features, _targets, batchSize, shuffleSeed ?? 0, shuffle: shuffleSeed is not null, rows, slots);

    private StabilityScores Combine()
    {
        int d = _features.Cols;
        var seen = new int[d];
        var selected = new int[d];
        var probabilitySum = new double[d];
        double selectedSum = 0, squaredSelected = 0, boundTerm = 0, trainingLoss = 0, holdoutLoss = 0;
        foreach (FitOutcome? outcome in _outcomes)
        {
            var o = outcome ?? throw new InvalidOperationException("A stability fit did not run.");
            for (int c = 0; c < o.Slots.Length; c++)
            {
                int j = o.Slots[c];
                seen[j]++;
                if (o.ProbabilityNonZero[c] > 0.5f) selected[j]++;
                probabilitySum[j] += o.ProbabilityNonZero[c];
            }
            selectedSum += o.SelectedCount;
            squaredSelected += (double)o.SelectedCount * o.SelectedCount;
            boundTerm += (double)o.Groups * o.Groups * o.SelectedCount * o.SelectedCount;
            trainingLoss += o.TrainingLoss;
            holdoutLoss += o.HoldoutLoss;
        }
        int fits = _outcomes.Length;
        var frequency = new float[d];
        var keepProbability = new float[d];
        for (int j = 0; j < d; j++)
        {
            frequency[j] = seen[j] == 0 ? 0f : (float)selected[j] / seen[j];
            keepProbability[j] = seen[j] == 0 ? 0f : (float)(probabilitySum[j] / seen[j]);
        }
        return new StabilityScores(frequency, keepProbability, seen, fits, _design.Rounds, _design.GroupsOfRound(_design.Rounds - 1, d),
            selectedSum / fits, squaredSelected / fits, boundTerm / fits, trainingLoss / fits, holdoutLoss / fits);
    }

    private sealed record FitOutcome(int[] Slots, int Groups, float[] ProbabilityNonZero, int SelectedCount, double TrainingLoss, double HoldoutLoss);
}

/// <summary>How stability selection splits the work.</summary>
/// <param name="Rounds">Rounds of complementary half-sample pairs, at least 1.</param>
/// <param name="SlotGroups">Random slot groups per round, at least 1 (1: every fit sees every slot).</param>
/// <param name="Seed">Seed of the splits and of every fit.</param>
/// <param name="L0Strength">Every fit's L0 strength, or null for <see cref="L0StrengthRule.ExtendedBic"/> of the fit's rows and slots.</param>
internal readonly record struct StabilityDesign(int Rounds, int SlotGroups, ulong Seed, float? L0Strength = null)
{
    /// <summary>The slot groups of round <paramref name="round"/> over <paramref name="slotCount"/> slots (the same in every round).</summary>
    public int GroupsOfRound(int round, int slotCount) => Math.Min(SlotGroups, slotCount);

    /// <summary>Checks the counts; the exception names the setting.</summary>
    public void Validate()
    {
        if (L0Strength is float l && (!(l > 0f) || !float.IsFinite(l)))
            throw new ArgumentOutOfRangeException(nameof(L0Strength), l, "Expected a finite L0 strength > 0, or null for the automatic one.");
        if (Rounds < 1) throw new ArgumentOutOfRangeException(nameof(Rounds), Rounds, "Expected at least 1 round.");
        if (SlotGroups < 1) throw new ArgumentOutOfRangeException(nameof(SlotGroups), SlotGroups, "Expected at least 1 slot group.");
    }
}
