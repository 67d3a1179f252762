using Microsoft.ML;
using Ml.Relaxation.Data;
using Ml.Relaxation.Engine;
using Ml.Relaxation.MLNet.Data;

namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>
/// The training and validation mini-batch sources of a fit. Small data (at most <see cref="CacheFloats"/> feature
/// values per part) is read once through a cursor and then shuffled in memory each epoch, which is much faster than
/// a cursor pass per epoch; larger data streams through a cursor every epoch with a bounded shuffle pool.
/// </summary>
internal static class TrainingSources
{
    /// <summary>The most feature values (4,194,304, i.e. 16 MB of floats) a part may have to be cached in memory.</summary>
    public const long CacheFloats = 1L << 22;

    /// <summary>
    /// The source of <paramref name="part"/>, cached when <paramref name="expectedRows"/> x slots fits the cache
    /// bound, and a function giving the rows skipped for non-finite values (known once a pass has completed).
    /// </summary>
    public static (IBatchSource Source, Func<long> SkippedRows) Create(
        IDataView data, BatchSourceOptions columns, DataPart part, long expectedRows, int slots)
    {
        var streamed = new DataViewBatchSource(data, columns, part);
        (IBatchSource, Func<long>) Streamed() => (streamed, () => streamed.LastPass?.RowsSkipped ?? 0);
        if (expectedRows * slots > CacheFloats) return Streamed();
        var ordered = new DataViewBatchSource(data, new BatchSourceOptions
        {
            FeatureColumn = columns.FeatureColumn, LabelColumn = columns.LabelColumn, LabelTask = columns.LabelTask,
            NonFiniteRows = columns.NonFiniteRows, Seed = columns.Seed, ValidationFraction = columns.ValidationFraction,
            BatchSize = 1024, ShufflePoolRows = 1,
        }, part);
        var features = new List<float>();
        var targets = new List<float>();
        foreach (Batch batch in ordered.Batches(0))
        {
            features.AddRange(batch.Features.AsSpan());
            targets.AddRange(batch.Targets.AsSpan());
            if (features.Count > CacheFloats) return Streamed(); // more rows than expected: stream after all
        }
        int rows = targets.Count;
        if (rows == 0) return Streamed();
        long skipped = ordered.LastPass?.RowsSkipped ?? 0;
        var cached = new InMemoryBatchSource(new Matrix([.. features], rows, slots), new Matrix([.. targets], rows, 1),
            columns.BatchSize, columns.Seed);
        return (cached, () => skipped);
    }
}
