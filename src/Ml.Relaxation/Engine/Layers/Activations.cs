using System.Numerics.Tensors;

namespace Ml.Relaxation.Engine;

/// <summary>
/// Element-wise and row-group activations with their backward passes, on spans. Backward passes take the forward
/// output y (not the input), which is all each of these needs, so callers keep one buffer per layer.
/// Outputs may alias inputs.
/// </summary>
internal static class Activations
{
    /// <summary>y = max(x, 0).</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    /// <summary>dx = dy where y &gt; 0, else 0 (the subgradient at 0 is taken as 0).</summary>
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckSameLength(y, dy, dx);
        VectorLoops.ReluBackward(y, dy, dx);
    }

    /// <summary>y = 1 / (1 + exp(-x)).</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);

    /// <summary>dx = dy y (1 - y).</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckSameLength(y, dy, dx);
        VectorLoops.SquashBackward(y, dy, dx, tanh: false);
    }

    /// <summary>y = tanh(x).</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Tanh(x, y);

    /// <summary>dx = dy (1 - y^2).</summary>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckSameLength(y, dy, dx);
        VectorLoops.SquashBackward(y, dy, dx, tanh: true);
    }

    /// <summary>
    /// Softmax over each consecutive group of <paramref name="groupSize"/> elements (e.g. the K categories of each of
    /// L latents in an [N x L*K] matrix), computed stably by subtracting the group maximum.
    /// </summary>
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y, int groupSize)
    {
        CheckGroups(x.Length, y.Length, groupSize);
        // TensorPrimitives.SoftMax does not subtract the maximum and overflows to NaN for logits above ~88.
        for (int g = 0; g < x.Length; g += groupSize)
        {
            ReadOnlySpan<float> xg = x.Slice(g, groupSize);
            Span<float> yg = y.Slice(g, groupSize);
            float max = TensorPrimitives.Max(xg);
            TensorPrimitives.Subtract(xg, max, yg);
            TensorPrimitives.Exp(yg, yg);
            TensorPrimitives.Divide(yg, VectorLoops.Sum(yg), yg);
        }
    }

    /// <summary>
    /// Log-softmax over each consecutive group of <paramref name="groupSize"/> elements, computed stably as
    /// <c>(x - max) - log sum exp(x - max)</c>; exact where some logits are -infinity (masked), provided one is finite.
    /// </summary>
    public static void LogSoftmax(ReadOnlySpan<float> x, Span<float> y, int groupSize)
    {
        CheckGroups(x.Length, y.Length, groupSize);
        for (int g = 0; g < x.Length; g += groupSize)
        {
            ReadOnlySpan<float> xg = x.Slice(g, groupSize);
            float max = float.NegativeInfinity;
            foreach (float v in xg) max = MathF.Max(max, v);
            float sum = 0f;
            foreach (float v in xg) sum += MathF.Exp(v - max);
            // (x - max) - log(sum), not x - (max + log(sum)): the latter rounds the log-sum to the spacing of large x.
            float logSum = MathF.Log(sum);
            for (int j = 0; j < xg.Length; j++) y[g + j] = xg[j] - max - logSum;
        }
    }

    /// <summary>Softmax backward per group: dx_i = y_i (dy_i - sum_j y_j dy_j).</summary>
    public static void SoftmaxBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int groupSize)
    {
        CheckSameLength(y, dy, dx);
        CheckGroups(y.Length, dx.Length, groupSize);
        for (int g = 0; g < y.Length; g += groupSize)
        {
            ReadOnlySpan<float> yg = y.Slice(g, groupSize), dyg = dy.Slice(g, groupSize);
            Span<float> dxg = dx.Slice(g, groupSize);
            float dot = 0f;
            for (int i = 0; i < groupSize; i++) dot += yg[i] * dyg[i];
            for (int i = 0; i < groupSize; i++) dxg[i] = yg[i] * (dyg[i] - dot);
        }
    }

    private static void CheckSameLength(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        if (dy.Length != y.Length) throw new ArgumentException($"Expected {y.Length} gradients, got {dy.Length}.", nameof(dy));
        if (dx.Length != y.Length) throw new ArgumentException($"Expected room for {y.Length} gradients, got {dx.Length}.", nameof(dx));
    }

    private static void CheckGroups(int length, int outputLength, int groupSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groupSize);
        if (length % groupSize != 0)
            throw new ArgumentException($"Length {length} is not a multiple of the group size {groupSize}.", nameof(groupSize));
        if (outputLength != length) throw new ArgumentException($"Expected an output of {length} elements, got {outputLength}.");
    }
}
