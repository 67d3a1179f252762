using Microsoft.ML;
using Ml.Relaxation.Data;

namespace Ml.Relaxation.MLNet.Data;

/// <summary>
/// One streaming pass over the rows of one <see cref="DataPart"/>: row counts, <see cref="FeatureStatistics"/> and, for
/// classification labels, rows per class. Use it before training to standardize, to size the output layer and to
/// fail early and clearly on empty data (<see cref="ThrowIfEmpty"/>) or a single class (<see cref="ThrowIfSingleClass"/>).
/// Memory is one row plus the per-slot and per-class accumulators.
/// </summary>
internal sealed class DataSummary
{
    private readonly DataColumns _columns;
    private readonly long[] _classCounts;

    private DataSummary(DataColumns columns, PassStatistics pass, FeatureStatistics features, long[] classCounts, DataPart part)
    {
        _columns = columns;
        Pass = pass;
        Features = features;
        _classCounts = classCounts;
        Part = part;
    }

    /// <summary>The part summarized.</summary>
    public DataPart Part { get; }

    /// <summary>Rows read, used and skipped (under <see cref="NonFiniteRowPolicy.Skip"/>).</summary>
    public PassStatistics Pass { get; }

    /// <summary>Per-slot statistics of the used rows.</summary>
    public FeatureStatistics Features { get; }

    /// <summary>
    /// Used rows per class index for classification labels (empty otherwise). Binary labels always have two entries;
    /// key labels have one per key value; numeric class indices have one up to the largest seen.
    /// </summary>
    public IReadOnlyList<long> ClassCounts => _classCounts;

    /// <summary>Classes with at least one used row.</summary>
    public int DistinctClasses => _classCounts.Count(c => c > 0);

    /// <summary>Reads every row of <paramref name="part"/> once; validates the columns first.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="InvalidOperationException">A non-finite value under <see cref="NonFiniteRowPolicy.Reject"/>, or an unusable label.</exception>
    public static DataSummary Compute(IDataView data, DataColumns columns, DataPart part = DataPart.Training)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(columns);
        using var reader = new RowReader(data, columns, columns.Split, part);
        var stats = new FeatureStatistics(reader.FeatureCount);
        var row = new float[reader.FeatureCount];
        var target = new float[reader.TargetCount];
        bool classes = columns.LabelColumn is not null && columns.LabelTask != LabelTask.Regression;
        var counts = new List<long>();
        if (classes) counts.AddRange(new long[InitialClassCount(data, columns)]);
        while (reader.TryReadNext(row, target))
        {
            stats.Add(row);
            if (!classes) continue;
            int c = (int)target[0];
            while (counts.Count <= c) counts.Add(0);
            counts[c]++;
        }
        return new DataSummary(columns, reader.Statistics, stats, counts.ToArray(), part);
    }

    /// <summary>Throws when no row is usable: nothing to train on.</summary>
    /// <exception cref="InvalidOperationException">The part has no used rows; the message says how many were read and skipped.</exception>
    public void ThrowIfEmpty()
    {
        if (Pass.RowsUsed > 0) return;
        string skipped = Pass.RowsSkipped > 0 ? $" ({Pass.RowsSkipped} skipped for non-finite values)" : "";
        throw new InvalidOperationException(
            $"No usable {Part.ToString().ToLowerInvariant()} rows in column '{_columns.FeatureColumn}': {Pass.RowsRead} read{skipped}. Training needs at least one row.");
    }

    /// <summary>Throws when a classification label has fewer than two classes among the used rows.</summary>
    /// <exception cref="InvalidOperationException">Only one class (or none) is present; the message names the label column.</exception>
    public void ThrowIfSingleClass()
    {
        if (_columns.LabelColumn is null || _columns.LabelTask == LabelTask.Regression || DistinctClasses >= 2) return;
        throw new InvalidOperationException(
            $"Label column '{_columns.LabelColumn}' has {DistinctClasses} distinct class(es) in {Pass.RowsUsed} {Part.ToString().ToLowerInvariant()} rows; classification needs at least two.");
    }

    private static int InitialClassCount(IDataView data, DataColumns columns)
    {
        if (columns.LabelTask == LabelTask.BinaryClassification) return 2;
        var type = data.Schema[columns.LabelColumn!].Type;
        return type is Microsoft.ML.Data.KeyDataViewType key ? (int)Math.Min(key.Count, 1 << 24) : 0;
    }
}
