using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Engine;

/// <summary>
/// Mini-batches from matrices held in memory. With shuffling, epoch e visits the rows in a permutation drawn from
/// stream e of the seed, so the order is reproducible and independent of earlier epochs having run. The last batch
/// of an epoch is short when the batch size does not divide the row count. One <see cref="Batch"/> is reused.
/// </summary>
public sealed class InMemoryBatchSource : IBatchSource
{
    private readonly Matrix _features;
    private readonly Matrix? _targets;
    private readonly int[] _order;
    private readonly Batch _batch;

    /// <summary>Creates the source. The matrices are not copied: do not change them while it is in use.</summary>
    /// <param name="features">[N x D] features.</param>
    /// <param name="targets">[N x T] targets, or null when there are none.</param>
    /// <param name="batchSize">Rows per mini-batch, at least 1.</param>
    /// <param name="seed">Seed of the shuffles.</param>
    /// <param name="shuffle">Shuffle the rows each epoch (false: file order, e.g. for evaluation).</param>
    public InMemoryBatchSource(Matrix features, Matrix? targets, int batchSize, ulong seed = 0, bool shuffle = true)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (targets is not null && targets.Rows != features.Rows)
            throw new ArgumentException($"Expected {features.Rows} target rows (one per feature row), got {targets.Rows}.", nameof(targets));
        _features = features;
        _targets = targets;
        BatchSize = batchSize;
        Seed = seed;
        Shuffle = shuffle;
        _order = new int[features.Rows];
        _batch = new Batch(Math.Min(batchSize, Math.Max(features.Rows, 1)), features.Cols, targets?.Cols ?? 0);
    }

    /// <inheritdoc/>
    public int FeatureCount => _features.Cols;

    /// <inheritdoc/>
    public int TargetCount => _targets?.Cols ?? 0;

    /// <summary>Rows in the whole source.</summary>
    public int RowCount => _features.Rows;

    /// <summary>Rows per mini-batch (the last one may be shorter).</summary>
    public int BatchSize { get; }

    /// <summary>Seed of the shuffles.</summary>
    public ulong Seed { get; }

    /// <summary>Whether rows are shuffled each epoch.</summary>
    public bool Shuffle { get; }

    /// <inheritdoc/>
    public IEnumerable<Batch> Batches(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return Enumerate(epoch);
    }

    private IEnumerable<Batch> Enumerate(int epoch)
    {
        int n = _features.Rows;
        for (int i = 0; i < n; i++) _order[i] = i;
        if (Shuffle) new RandomSource(Seed, (ulong)epoch).Shuffle(_order.AsSpan());
        for (int start = 0; start < n; start += BatchSize)
        {
            int rows = Math.Min(BatchSize, n - start);
            _batch.SetRows(rows);
            for (int r = 0; r < rows; r++)
            {
                int src = _order[start + r];
                _features.Row(src).CopyTo(_batch.Features.Row(r));
                if (_targets is not null) _targets.Row(src).CopyTo(_batch.Targets.Row(r));
            }
            yield return _batch;
        }
    }
}
