namespace Ml.Relaxation.MLNet.Data;

/// <summary>Settings of a <see cref="DataViewBatchSource"/>: the columns and split, plus batch and shuffle-pool sizes.</summary>
internal sealed class BatchSourceOptions : DataColumns
{
    /// <summary>Rows per mini-batch (the last one of an epoch may be shorter). Default 128.</summary>
    public int BatchSize { get; set; } = 128;

    /// <summary>
    /// Rows held in the shuffle pool, the bound on buffered memory (pool rows x feature count floats). With at least as
    /// many pool rows as data rows the order is a uniform random permutation; with fewer it is a streaming
    /// approximation (each arriving row replaces a uniformly drawn pool row, which is emitted). 1 keeps the data's
    /// order. Default 4096.
    /// </summary>
    public int ShufflePoolRows { get; set; } = 4096;
}
