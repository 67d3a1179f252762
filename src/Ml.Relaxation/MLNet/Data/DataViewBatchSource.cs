using Microsoft.ML;
using Ml.Relaxation.Engine;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.MLNet.Data;

/// <summary>
/// Streams shuffled mini-batches of one <see cref="DataPart"/> of an <see cref="IDataView"/> through a fresh cursor
/// per epoch, with bounded memory: a shuffle pool of <see cref="BatchSourceOptions.ShufflePoolRows"/> rows, one batch
/// and one scratch row, whatever the size of the data. Epoch <c>e</c> shuffles with stream <c>e</c> derived from the
/// seed, so the same seed and epoch give the same order. Labels become float targets per
/// <see cref="DataColumns.LabelTask"/>; rows with non-finite values are rejected or skipped per
/// <see cref="DataColumns.NonFiniteRows"/> (see <see cref="LastPass"/> for the counts).
/// </summary>
public sealed class DataViewBatchSource : IBatchSource
{
    /// <summary>The random stream the shuffles derive from, distinct from <see cref="RowSplit"/>'s.</summary>
    internal const ulong ShuffleStream = 0x53485546464C45; // "SHUFFLE"

    private readonly IDataView _data;
    private readonly BatchSourceOptions _options;

    /// <summary>Creates a source over the rows of <paramref name="part"/>; validates the columns now.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type, or an option is out of range.</exception>
    public DataViewBatchSource(IDataView data, BatchSourceOptions options, DataPart part = DataPart.Training)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (options.BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, $"{nameof(options.BatchSize)} must be at least 1.");
        if (options.ShufflePoolRows < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.ShufflePoolRows, $"{nameof(options.ShufflePoolRows)} must be at least 1.");
        _ = options.Split; // validates the fraction
        var (_, size) = ColumnValidation.CheckFeatureColumn(data.Schema, options.FeatureColumn);
        if (options.LabelColumn is not null)
            ColumnValidation.CheckLabelColumn(data.Schema, options.LabelColumn, options.LabelTask);
        _data = data;
        _options = options;
        Part = part;
        FeatureCount = size;
        TargetCount = options.LabelColumn is null ? 0 : 1;
    }

    /// <inheritdoc />
    public int FeatureCount { get; }

    /// <inheritdoc />
    public int TargetCount { get; }

    /// <summary>The part of the split this source reads.</summary>
    public DataPart Part { get; }

    /// <summary>Counts of the last epoch enumerated to its end (null before the first); RowsSkipped reports skipped rows.</summary>
    public PassStatistics? LastPass { get; private set; }

    /// <summary>The most rows the shuffle pool held at once in any epoch so far; never above the pool size.</summary>
    public int PeakPoolRows { get; private set; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">A non-finite value under <see cref="NonFiniteRowPolicy.Reject"/>, or an unusable label.</exception>
    public IEnumerable<Batch> Batches(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return Enumerate(epoch);
    }

    private IEnumerable<Batch> Enumerate(int epoch)
    {
        int f = FeatureCount, t = TargetCount, poolSize = _options.ShufflePoolRows;
        var rng = new RandomSource(_options.Seed, ShuffleStream).Derive((ulong)epoch);
        // Pool memory grows as rows arrive, up to poolSize rows, so a small data set does not pay for a large pool.
        var pool = new Matrix(Math.Min(poolSize, 1024), f);
        var poolTargets = new Matrix(pool.RowCapacity, t);
        var scratch = new float[f];
        var scratchTarget = new float[t];
        var batch = new Batch(_options.BatchSize, f, t);
        int inPool = 0, inBatch = 0;

        using var reader = new RowReader(_data, _options, _options.Split, Part);
        while (reader.TryReadNext(scratch, scratchTarget))
        {
            if (inPool < poolSize)
            {
                if (inPool == pool.RowCapacity) (pool, poolTargets) = Grow(pool, poolTargets, inPool, poolSize);
                scratch.CopyTo(pool.Row(inPool));
                scratchTarget.CopyTo(poolTargets.Row(inPool));
                PeakPoolRows = Math.Max(PeakPoolRows, ++inPool);
                continue;
            }
            // Pool full: emit a uniformly drawn pool row and put the arriving row in its place.
            int j = rng.NextInt(poolSize);
            Emit(pool, poolTargets, j, batch, inBatch++);
            scratch.CopyTo(pool.Row(j));
            scratchTarget.CopyTo(poolTargets.Row(j));
            if (inBatch == batch.Features.RowCapacity)
            {
                batch.SetRows(inBatch);
                yield return batch;
                inBatch = 0;
            }
        }
        // Drain: draw the remaining rows without replacement (Fisher-Yates from the end).
        for (int last = inPool - 1; last >= 0; last--)
        {
            int j = rng.NextInt(last + 1);
            Emit(pool, poolTargets, j, batch, inBatch++);
            pool.Row(last).CopyTo(pool.Row(j));
            poolTargets.Row(last).CopyTo(poolTargets.Row(j));
            if (inBatch == batch.Features.RowCapacity || last == 0)
            {
                batch.SetRows(inBatch);
                yield return batch;
                inBatch = 0;
            }
        }
        LastPass = reader.Statistics;
    }

    private static void Emit(Matrix pool, Matrix poolTargets, int row, Batch batch, int at)
    {
        pool.Row(row).CopyTo(batch.Features.Row(at));
        poolTargets.Row(row).CopyTo(batch.Targets.Row(at));
    }

    private static (Matrix Pool, Matrix Targets) Grow(Matrix pool, Matrix targets, int rows, int poolSize)
    {
        int capacity = (int)Math.Min(poolSize, 2L * pool.RowCapacity);
        var bigger = new Matrix(capacity, pool.Cols);
        var biggerTargets = new Matrix(capacity, targets.Cols);
        pool.Data.AsSpan(0, rows * pool.Cols).CopyTo(bigger.Data);
        targets.Data.AsSpan(0, rows * targets.Cols).CopyTo(biggerTargets.Data);
        return (bigger, biggerTargets);
    }
}
