using System.Numerics.Tensors;

namespace Ml.Relaxation.Engine;

public static partial class Losses
{
    /// <summary>
    /// Binary cross-entropy of targets in [0, 1] against logits z: per element max(z, 0) - z t + log(1 + exp(-|z|)),
    /// which never overflows. Gradient: (sigmoid(z) - t) / N.
    /// </summary>
    /// <param name="logits">[N x D] logits.</param>
    /// <param name="targets">[N x D] targets in [0, 1].</param>
    /// <param name="gradient">[N x D] buffer for the gradient with respect to the logits, or null.</param>
    /// <param name="accumulate">Add to <paramref name="gradient"/> instead of overwriting it.</param>
    public static float BinaryCrossEntropyWithLogits(Matrix logits, Matrix targets, Matrix? gradient = null, bool accumulate = false)
    {
        ArgumentNullException.ThrowIfNull(logits);
        CheckSameShape(logits, targets, nameof(targets));
        CheckGradient(logits, gradient, nameof(gradient));
        int n = logits.Rows;
        if (n == 0) return 0f;
        ReadOnlySpan<float> z = logits.AsSpan(), t = targets.AsSpan();
        Span<float> g = gradient is null ? default : gradient.AsSpan();
        float invN = 1f / n;
        double total = 0;
        const int Block = 512;
        Span<float> scratch = stackalloc float[Block], positive = stackalloc float[Block];
        // Vectorized over blocks of a fixed size, so the summation order depends only on the shape.
        for (int start = 0; start < z.Length; start += Block)
        {
            int len = Math.Min(Block, z.Length - start);
            ReadOnlySpan<float> zb = z.Slice(start, len), tb = t.Slice(start, len);
            Span<float> s = scratch[..len], relu = positive[..len];
            TensorPrimitives.Abs(zb, s);
            TensorPrimitives.Negate(s, s);
            TensorPrimitives.Exp(s, s);
            TensorPrimitives.Add(s, 1f, s);
            TensorPrimitives.Log(s, s); // log(1 + exp(-|z|))
            TensorPrimitives.Max(zb, 0f, relu);
            TensorPrimitives.Add(s, relu, s);
            total += VectorLoops.Sum(s) - VectorLoops.Dot(zb, tb);
            if (gradient is not null)
            {
                Span<float> gb = g.Slice(start, len);
                TensorPrimitives.Sigmoid(zb, s);
                TensorPrimitives.Subtract(s, tb, s);
                if (accumulate) TensorPrimitives.MultiplyAdd(s, invN, gb, gb);
                else TensorPrimitives.Multiply(s, invN, gb);
            }
        }
        return (float)(total / n);
    }
}
