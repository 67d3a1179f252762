namespace Ml.Relaxation.Engine;

/// <summary>A source of mini-batches for training or evaluation, in memory or streamed.</summary>
internal interface IBatchSource
{
    /// <summary>Columns of <see cref="Batch.Features"/>.</summary>
    int FeatureCount { get; }

    /// <summary>Columns of <see cref="Batch.Targets"/> (0 when there are none, e.g. an autoencoder).</summary>
    int TargetCount { get; }

    /// <summary>
    /// Enumerates the mini-batches of epoch <paramref name="epoch"/>. The order is a fixed function of the source's
    /// seed and the epoch. The yielded <see cref="Batch"/> may be reused: consume it before moving next.
    /// </summary>
    IEnumerable<Batch> Batches(int epoch);
}
