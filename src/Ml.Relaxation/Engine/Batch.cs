namespace Ml.Relaxation.Engine;

/// <summary>One mini-batch: features and targets share the row count. Sources may reuse the same instance between batches.</summary>
internal sealed class Batch
{
    /// <summary>Creates a batch with room for <paramref name="capacity"/> rows.</summary>
    public Batch(int capacity, int featureCount, int targetCount)
    {
        Features = new Matrix(capacity, featureCount);
        Targets = new Matrix(capacity, targetCount);
    }

    /// <summary>Features, [rows x feature count].</summary>
    public Matrix Features { get; }

    /// <summary>Targets, [rows x target count] (a class index is stored as a float in one column).</summary>
    public Matrix Targets { get; }

    /// <summary>Rows in this batch.</summary>
    public int Rows => Features.Rows;

    /// <summary>Sets the rows in use of both matrices.</summary>
    public void SetRows(int rows)
    {
        Features.SetRows(rows);
        Targets.SetRows(rows);
    }
}
