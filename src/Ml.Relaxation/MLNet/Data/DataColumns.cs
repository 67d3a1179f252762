using Ml.Relaxation.Data;

namespace Ml.Relaxation.MLNet.Data;

/// <summary>Which columns to read from an <c>IDataView</c> and how: shared by <see cref="DataViewBatchSource"/> and <see cref="DataSummary"/>.</summary>
internal class DataColumns
{
    /// <summary>The features: a known-size vector of <see cref="float"/>. Default <c>"Features"</c>.</summary>
    public string FeatureColumn { get; set; } = "Features";

    /// <summary>The label column, or null when there is none (e.g. an autoencoder). Default null.</summary>
    public string? LabelColumn { get; set; }

    /// <summary>How label values become float targets. Default <see cref="LabelTask.Regression"/>.</summary>
    public LabelTask LabelTask { get; set; } = LabelTask.Regression;

    /// <summary>Rows with NaN or infinite features or labels. Default <see cref="NonFiniteRowPolicy.Reject"/>.</summary>
    public NonFiniteRowPolicy NonFiniteRows { get; set; } = NonFiniteRowPolicy.Reject;

    /// <summary>Seed of the split (and, for a batch source, the shuffle). Default 0.</summary>
    public ulong Seed { get; set; }

    /// <summary>Expected share of rows set aside for validation, in [0, 1); see <see cref="RowSplit"/>. Default 0.</summary>
    public double ValidationFraction { get; set; }

    /// <summary>The split these settings describe.</summary>
    public RowSplit Split => new(Seed, ValidationFraction);
}
