namespace Ml.Relaxation.Engine;

internal static partial class Losses
{
    /// <summary>Squared error summed over columns, averaged over rows. Gradient: 2 (p - t) / N.</summary>
    /// <param name="predictions">[N x D] predictions.</param>
    /// <param name="targets">[N x D] targets.</param>
    /// <param name="gradient">[N x D] buffer for the gradient with respect to the predictions, or null.</param>
    /// <param name="accumulate">Add to <paramref name="gradient"/> instead of overwriting it.</param>
    public static float MeanSquaredError(Matrix predictions, Matrix targets, Matrix? gradient = null, bool accumulate = false)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        CheckSameShape(predictions, targets, nameof(targets));
        CheckGradient(predictions, gradient, nameof(gradient));
        int n = predictions.Rows;
        if (n == 0) return 0f;
        ReadOnlySpan<float> p = predictions.AsSpan(), t = targets.AsSpan();
        Span<float> g = gradient is null ? default : gradient.AsSpan();
        float scale = 2f / n;
        double total = 0;
        for (int i = 0; i < p.Length; i++)
        {
            float d = p[i] - t[i];
            total += d * d;
            if (gradient is not null) Store(g, i, scale * d, accumulate);
        }
        return (float)(total / n);
    }
}
