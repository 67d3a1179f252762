namespace Ml.Relaxation.Engine;

internal static partial class Losses
{
    /// <summary>
    /// Softmax cross-entropy of class labels against logits: per row logsumexp(z) - z_y. Gradient: (softmax(z) - onehot(y)) / N.
    /// </summary>
    /// <param name="logits">[N x C] logits.</param>
    /// <param name="labels">[N x 1] class indices 0..C-1 stored as floats.</param>
    /// <param name="gradient">[N x C] buffer for the gradient with respect to the logits, or null.</param>
    /// <param name="accumulate">Add to <paramref name="gradient"/> instead of overwriting it.</param>
    public static float SoftmaxCrossEntropy(Matrix logits, Matrix labels, Matrix? gradient = null, bool accumulate = false)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Cols != 1 || labels.Rows != logits.Rows)
            throw new ArgumentException($"Expected [{logits.Rows} x 1] class indices, got [{labels.Rows} x {labels.Cols}].", nameof(labels));
        CheckGradient(logits, gradient, nameof(gradient));
        int n = logits.Rows, c = logits.Cols;
        if (n == 0) return 0f;
        float invN = 1f / n;
        double total = 0;
        for (int r = 0; r < n; r++)
        {
            float label = labels[r, 0];
            int y = (int)label;
            if (y != label || (uint)y >= (uint)c)
                throw new ArgumentException($"Row {r}: label {label} is not a class index in 0..{c - 1}.", nameof(labels));
            ReadOnlySpan<float> z = logits.Row(r);
            float max = float.NegativeInfinity;
            foreach (float v in z) max = MathF.Max(max, v);
            float sum = 0f;
            foreach (float v in z) sum += MathF.Exp(v - max);
            // log q_j = (z_j - max) - log(sum): shifting first keeps the small log-sum out of large logits' rounding
            // (max + log(sum) rounds to the float spacing of the logits, 2.4e-4 at 3000).
            float logSum = MathF.Log(sum);
            total += logSum - (z[y] - max);
            if (gradient is not null)
            {
                Span<float> g = gradient.Row(r);
                for (int j = 0; j < c; j++)
                    Store(g, j, (MathF.Exp(z[j] - max - logSum) - (j == y ? 1f : 0f)) * invN, accumulate);
            }
        }
        return (float)(total / n);
    }
}
