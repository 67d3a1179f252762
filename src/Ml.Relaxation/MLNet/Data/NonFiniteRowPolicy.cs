namespace Ml.Relaxation.MLNet.Data;

/// <summary>What to do with a row whose features or label are NaN or infinite (or whose key label is missing).</summary>
internal enum NonFiniteRowPolicy
{
    /// <summary>Throw an <see cref="InvalidOperationException"/> naming the column, the row and the slot. The default.</summary>
    Reject,

    /// <summary>Leave the row out and count it (see <see cref="PassStatistics.RowsSkipped"/>).</summary>
    Skip,
}
