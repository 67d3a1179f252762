using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Engine;

/// <summary>
/// Mini-batches from matrices held in memory, optionally only some of their rows and columns (a view: nothing is
/// copied but each batch). With shuffling, epoch e visits the rows in a permutation drawn from stream e of the seed,
/// so the order is reproducible and independent of earlier epochs having run. The last batch of an epoch is short
/// when the batch size does not divide the row count. One <see cref="Batch"/> is reused.
/// </summary>
internal sealed class InMemoryBatchSource : IBatchSource
{
    private readonly Matrix _features;
    private readonly Matrix? _targets;
    private readonly int[] _rows, _order;
    private readonly int[]? _columns;
    private readonly Batch _batch;

    /// <summary>Creates the source. The matrices are not copied: do not change them while it is in use.</summary>
    /// <param name="features">[N x D] features.</param>
    /// <param name="targets">[N x T] targets, or null when there are none.</param>
    /// <param name="batchSize">Rows per mini-batch, at least 1.</param>
    /// <param name="seed">Seed of the shuffles.</param>
    /// <param name="shuffle">Shuffle the rows each epoch (false: file order, e.g. for evaluation).</param>
    public InMemoryBatchSource(Matrix features, Matrix? targets, int batchSize, ulong seed = 0, bool shuffle = true)
        : this(features, targets, batchSize, seed, shuffle, rows: null, columns: null)
    {
    }

    /// <summary>
    /// Creates a source over the rows <paramref name="rows"/> and the columns <paramref name="columns"/> (in those
    /// orders; null: all) of the matrices, which are not copied: do not change them while the source is in use.
    /// </summary>
    /// <param name="features">[N x D] features.</param>
    /// <param name="targets">[N x T] targets, or null when there are none.</param>
    /// <param name="batchSize">Rows per mini-batch, at least 1.</param>
    /// <param name="seed">Seed of the shuffles.</param>
    /// <param name="shuffle">Shuffle the rows each epoch (false: the order of <paramref name="rows"/>).</param>
    /// <param name="rows">Row indices of the matrices, or null for every row.</param>
    /// <param name="columns">Feature column indices, or null for every column (targets keep all their columns).</param>
    public InMemoryBatchSource(Matrix features, Matrix? targets, int batchSize, ulong seed, bool shuffle,
        IReadOnlyList<int>? rows, IReadOnlyList<int>? columns)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (targets is not null && targets.Rows != features.Rows)
            throw new ArgumentException($"Expected {features.Rows} target rows (one per feature row), got {targets.Rows}.", nameof(targets));
        _rows = rows is null ? [.. Enumerable.Range(0, features.Rows)] : [.. rows];
        foreach (int r in _rows)
            if ((uint)r >= (uint)features.Rows) throw new ArgumentOutOfRangeException(nameof(rows), r, $"Expected row indices from 0 to {features.Rows - 1}.");
        if (columns is not null)
            foreach (int c in columns)
                if ((uint)c >= (uint)features.Cols) throw new ArgumentOutOfRangeException(nameof(columns), c, $"Expected column indices from 0 to {features.Cols - 1}.");
        _columns = columns is null ? null : [.. columns];
        _features = features;
        _targets = targets;
        BatchSize = batchSize;
        Seed = seed;
        Shuffle = shuffle;
        _order = new int[_rows.Length];
        _batch = new Batch(Math.Min(batchSize, Math.Max(_rows.Length, 1)), FeatureCount, targets?.Cols ?? 0);
    }

    /// <inheritdoc/>
    public int FeatureCount => _columns?.Length ?? _features.Cols;

    /// <inheritdoc/>
    public int TargetCount => _targets?.Cols ?? 0;

    /// <summary>Rows this source visits per epoch.</summary>
    public int RowCount => _rows.Length;

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
        int n = _rows.Length;
        _rows.CopyTo(_order, 0);
        if (Shuffle) new RandomSource(Seed, (ulong)epoch).Shuffle(_order.AsSpan());
        for (int start = 0; start < n; start += BatchSize)
        {
            int rows = Math.Min(BatchSize, n - start);
            _batch.SetRows(rows);
            for (int r = 0; r < rows; r++)
            {
                int src = _order[start + r];
                CopyFeatures(_features.Row(src), _batch.Features.Row(r));
                if (_targets is not null) _targets.Row(src).CopyTo(_batch.Targets.Row(r));
            }
            yield return _batch;
        }
    }

    private void CopyFeatures(ReadOnlySpan<float> from, Span<float> to)
    {
        if (_columns is null)
        {
            from.CopyTo(to);
            return;
        }
        for (int c = 0; c < _columns.Length; c++) to[c] = from[_columns[c]];
    }
}
