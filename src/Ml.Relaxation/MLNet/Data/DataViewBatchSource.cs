using Microsoft.ML;
using Ml.Relaxation.Data;
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
internal sealed class DataViewBatchSource : IBatchSource
{
    /// <summary>The random stream the shuffles derive from, distinct from <see cref="RowSplit"/>'s.</summary>
    internal const ulong ShuffleStream = 0x53485546464C45; // "SHUFFLE"

    private readonly IDataView _data;
    private readonly BatchSourceOptions _options;
    private Buffers? _buffers;
    private int _buffersInUse;

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
        _options = Copy(options); // later changes to the caller's options must not bypass the checks above
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
        int poolSize = _options.ShufflePoolRows;
        var rng = new RandomSource(_options.Seed, ShuffleStream).Derive((ulong)epoch);
        // Epochs reuse one set of buffers (a pool of thousands of rows is a large-object allocation, and a fresh one
        // per epoch costs a gen-2 collection); an epoch enumerated while another is still running gets its own.
        bool owned = Interlocked.Exchange(ref _buffersInUse, 1) == 0;
        var buffers = owned ? _buffers ??= new Buffers(FeatureCount, TargetCount, _options) : new Buffers(FeatureCount, TargetCount, _options);
        try
        {
            var batch = buffers.BatchForEpoch();
            var scratch = buffers.Scratch;
            var scratchTarget = buffers.ScratchTarget;
            int inPool = 0, inBatch = 0;
            using var reader = new RowReader(_data, _options, _options.Split, Part);
            while (reader.TryReadNext(scratch, scratchTarget))
            {
                if (inPool < poolSize)
                {
                    if (inPool == buffers.Pool.RowCapacity) buffers.Grow(inPool, poolSize);
                    scratch.CopyTo(buffers.Pool.Row(inPool));
                    scratchTarget.CopyTo(buffers.PoolTargets.Row(inPool));
                    PeakPoolRows = Math.Max(PeakPoolRows, ++inPool);
                    continue;
                }
                // Pool full: emit a uniformly drawn pool row and put the arriving row in its place.
                int j = rng.NextInt(poolSize);
                Emit(buffers.Pool, buffers.PoolTargets, j, batch, inBatch++);
                scratch.CopyTo(buffers.Pool.Row(j));
                scratchTarget.CopyTo(buffers.PoolTargets.Row(j));
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
                Emit(buffers.Pool, buffers.PoolTargets, j, batch, inBatch++);
                buffers.Pool.Row(last).CopyTo(buffers.Pool.Row(j));
                buffers.PoolTargets.Row(last).CopyTo(buffers.PoolTargets.Row(j));
                if (inBatch == batch.Features.RowCapacity || last == 0)
                {
                    batch.SetRows(inBatch);
                    yield return batch;
                    inBatch = 0;
                }
            }
            LastPass = reader.Statistics;
        }
        finally
        {
            if (owned) Volatile.Write(ref _buffersInUse, 0);
        }
    }

    private static void Emit(Matrix pool, Matrix poolTargets, int row, Batch batch, int at)
    {
        pool.Row(row).CopyTo(batch.Features.Row(at));
        poolTargets.Row(row).CopyTo(batch.Targets.Row(at));
    }

    private static BatchSourceOptions Copy(BatchSourceOptions o) => new()
    {
        FeatureColumn = o.FeatureColumn,
        LabelColumn = o.LabelColumn,
        LabelTask = o.LabelTask,
        NonFiniteRows = o.NonFiniteRows,
        Seed = o.Seed,
        ValidationFraction = o.ValidationFraction,
        BatchSize = o.BatchSize,
        ShufflePoolRows = o.ShufflePoolRows,
    };

    /// <summary>The pool (grown as rows arrive, up to the pool size), one scratch row and the batch.</summary>
    private sealed class Buffers(int features, int targets, BatchSourceOptions options)
    {
        public Matrix Pool { get; private set; } = new(Math.Min(options.ShufflePoolRows, 1024), features);

        public Matrix PoolTargets { get; private set; } = new(Math.Min(options.ShufflePoolRows, 1024), targets);

        public float[] Scratch { get; } = new float[features];

        public float[] ScratchTarget { get; } = new float[targets];

        private readonly Batch _batch = new(options.BatchSize, features, targets);

        /// <summary>
        /// The batch to fill this epoch. A batch without target columns is not reused: <see cref="Matrix.RowCapacity"/>
        /// of a zero-column matrix is its current row count, so after a short last batch it could not grow back.
        /// </summary>
        public Batch BatchForEpoch() => targets > 0 ? _batch : new Batch(options.BatchSize, features, targets);

        /// <summary>Doubles the pool's capacity (at most <paramref name="poolSize"/> rows), keeping its first <paramref name="rows"/> rows.</summary>
        public void Grow(int rows, int poolSize)
        {
            int capacity = (int)Math.Min(poolSize, 2L * Pool.RowCapacity);
            var pool = new Matrix(capacity, Pool.Cols);
            var poolTargets = new Matrix(capacity, PoolTargets.Cols);
            Pool.Data.AsSpan(0, rows * Pool.Cols).CopyTo(pool.Data);
            PoolTargets.Data.AsSpan(0, rows * PoolTargets.Cols).CopyTo(poolTargets.Data);
            (Pool, PoolTargets) = (pool, poolTargets);
        }
    }
}
