namespace Ml.Relaxation.Engine;

/// <summary>The mini-batches of another source with only some of its feature columns, in a given order.</summary>
internal sealed class ColumnSubsetBatchSource : IBatchSource
{
    private readonly IBatchSource _inner;
    private readonly int[] _columns;

    /// <summary>Creates the view; <paramref name="columns"/> are column indices of <paramref name="inner"/>.</summary>
    public ColumnSubsetBatchSource(IBatchSource inner, IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(columns);
        foreach (int c in columns)
            if (c < 0 || c >= inner.FeatureCount)
                throw new ArgumentOutOfRangeException(nameof(columns), c, $"Expected column indices from 0 to {inner.FeatureCount - 1}.");
        _inner = inner;
        _columns = [.. columns];
    }

    /// <inheritdoc/>
    public int FeatureCount => _columns.Length;

    /// <inheritdoc/>
    public int TargetCount => _inner.TargetCount;

    /// <inheritdoc/>
    public IEnumerable<Batch> Batches(int epoch)
    {
        Batch? batch = null;
        foreach (Batch source in _inner.Batches(epoch))
        {
            batch ??= new Batch(source.Features.RowCapacity, _columns.Length, source.Targets.Cols);
            batch.SetRows(source.Rows);
            for (int r = 0; r < source.Rows; r++)
            {
                Span<float> from = source.Features.Row(r), to = batch.Features.Row(r);
                for (int c = 0; c < _columns.Length; c++) to[c] = from[_columns[c]];
            }
            source.Targets.AsSpan().CopyTo(batch.Targets.AsSpan());
            yield return batch;
        }
    }
}
