namespace Ml.Relaxation.Data;

/// <summary>
/// Count, mean and standard deviation of every feature slot from one pass, accumulated in double with Welford's
/// update (numerically stable: no catastrophic cancellation for large means, e.g. features near 1e30 or 1e6 + noise).
/// Feed rows with <see cref="Add"/>; read <see cref="Mean"/> and <see cref="StandardDeviation"/> for standardization.
/// </summary>
internal sealed class FeatureStatistics
{
    private readonly double[] _mean;
    private readonly double[] _m2;

    /// <summary>Creates an empty accumulator for <paramref name="featureCount"/> slots.</summary>
    public FeatureStatistics(int featureCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(featureCount);
        _mean = new double[featureCount];
        _m2 = new double[featureCount];
    }

    /// <summary>Slots per row.</summary>
    public int FeatureCount => _mean.Length;

    /// <summary>Rows added.</summary>
    public long Count { get; private set; }

    /// <summary>Per-slot mean (0 before any row).</summary>
    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>Adds one row of <see cref="FeatureCount"/> values.</summary>
    public void Add(ReadOnlySpan<float> row)
    {
        if (row.Length != _mean.Length)
            throw new ArgumentException($"Expected a row of {_mean.Length} values, got {row.Length}.", nameof(row));
        Count++;
        double inverse = 1.0 / Count;
        for (int j = 0; j < row.Length; j++)
        {
            double x = row[j];
            double delta = x - _mean[j];
            _mean[j] += delta * inverse;
            _m2[j] += delta * (x - _mean[j]);
        }
    }

    /// <summary>Per-slot variance dividing by the count (population), 0 before two rows.</summary>
    public double Variance(int slot) => Count < 2 ? 0 : Math.Max(0, _m2[slot] / Count);

    /// <summary>Per-slot population standard deviation, sqrt(<see cref="Variance"/>); 0 for a constant slot.</summary>
    public double[] StandardDeviation()
    {
        var std = new double[_mean.Length];
        for (int j = 0; j < std.Length; j++) std[j] = Math.Sqrt(Variance(j));
        return std;
    }

    /// <summary>Slots whose standard deviation is 0 (constant or all-zero columns), which standardization must not divide by.</summary>
    public int[] ConstantSlots()
    {
        var constant = new List<int>();
        for (int j = 0; j < _mean.Length; j++)
            if (Variance(j) == 0) constant.Add(j);
        return constant.ToArray();
    }
}
