using System.Numerics.Tensors;
using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>
/// The internal standardization x' = (x - mean) / std per slot (a constant slot maps to 0), and for regression
/// t' = (t - mean) / std of the target, so the gates and the penalty see every data set on the same scale.
/// </summary>
internal sealed class FeatureScaling
{
    private readonly float[] _mean, _inverseStd;

    /// <summary>Creates the scaling from per-slot means and standard deviations (std 0 or less marks a constant slot).</summary>
    public FeatureScaling(ReadOnlySpan<float> mean, ReadOnlySpan<float> std, float targetMean = 0f, float targetStd = 1f)
    {
        if (mean.Length != std.Length) throw new ArgumentException($"Expected {mean.Length} standard deviations, got {std.Length}.", nameof(std));
        _mean = mean.ToArray();
        _inverseStd = new float[std.Length];
        for (int j = 0; j < std.Length; j++) _inverseStd[j] = std[j] > 0f && float.IsFinite(std[j]) ? 1f / std[j] : 0f;
        TargetMean = targetMean;
        TargetInverseStd = targetStd > 0f && float.IsFinite(targetStd) ? 1f / targetStd : 1f;
    }

    /// <summary>The scaling of the slots <paramref name="slots"/>, in that order (the target's scaling unchanged).</summary>
    public FeatureScaling Subset(ReadOnlySpan<int> slots)
    {
        var mean = new float[slots.Length];
        var inverseStd = new float[slots.Length];
        for (int i = 0; i < slots.Length; i++)
        {
            mean[i] = _mean[slots[i]];
            inverseStd[i] = _inverseStd[slots[i]];
        }
        return new FeatureScaling(mean, inverseStd, TargetMean, TargetInverseStd, inverse: true);
    }

    private FeatureScaling(float[] mean, float[] inverseStd, float targetMean, float targetInverseStd, bool inverse)
    {
        _ = inverse; // distinguishes this constructor: the arrays are taken as they are
        _mean = mean;
        _inverseStd = inverseStd;
        TargetMean = targetMean;
        TargetInverseStd = targetInverseStd;
    }

    /// <summary>Slot count.</summary>
    public int FeatureCount => _mean.Length;

    /// <summary>Mean of the regression target (0 otherwise).</summary>
    public float TargetMean { get; }

    /// <summary>1 / std of the regression target (1 otherwise).</summary>
    public float TargetInverseStd { get; }

    /// <summary>Writes the standardized rows of <paramref name="features"/> into <paramref name="destination"/> (same shape).</summary>
    public void Standardize(Matrix features, Matrix destination)
    {
        for (int r = 0; r < features.Rows; r++)
        {
            Span<float> row = destination.Row(r);
            TensorPrimitives.Subtract(features.Row(r), _mean, row);
            TensorPrimitives.Multiply(row, _inverseStd, row);
        }
    }

    /// <summary>Writes (t - mean) / std of the targets into <paramref name="destination"/>.</summary>
    public void StandardizeTargets(Matrix targets, Matrix destination)
    {
        TensorPrimitives.Subtract(targets.AsSpan(), TargetMean, destination.AsSpan());
        TensorPrimitives.Multiply(destination.AsSpan(), TargetInverseStd, destination.AsSpan());
    }
}
