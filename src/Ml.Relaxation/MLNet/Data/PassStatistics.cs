using Ml.Relaxation.Data;

namespace Ml.Relaxation.MLNet.Data;

/// <summary>Counts from one complete pass over the rows of one <see cref="DataPart"/>.</summary>
/// <param name="RowsRead">Rows of the part that were read.</param>
/// <param name="RowsUsed">Rows that were used (read minus skipped).</param>
/// <param name="RowsSkipped">Rows left out under <see cref="NonFiniteRowPolicy.Skip"/>.</param>
internal readonly record struct PassStatistics(long RowsRead, long RowsUsed, long RowsSkipped);
