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
        for (int i = 0; i < z.Length; i++)
        {
            float zi = z[i], ti = t[i];
            float e = MathF.Exp(-MathF.Abs(zi));
            total += MathF.Max(zi, 0f) - zi * ti + MathF.Log(1f + e);
            if (gradient is not null)
            {
                float sigmoid = zi >= 0f ? 1f / (1f + e) : e / (1f + e);
                Store(g, i, (sigmoid - ti) * invN, accumulate);
            }
        }
        return (float)(total / n);
    }
}
