namespace Ml.Relaxation.Engine;

internal static partial class Losses
{
    /// <summary>
    /// KL(q || uniform) for L independent categorical latents of K categories, q = softmax of each group of K logits:
    /// per row sum over latents of sum_k q_k (log q_k + log K). Gradient per logit: q_k (log q_k + log K - KL_latent) / N.
    /// </summary>
    /// <param name="logits">[N x L*K] posterior logits, latent-major (the K categories of a latent are adjacent).</param>
    /// <param name="latents">L, the number of latents.</param>
    /// <param name="categories">K, categories per latent, at least 2.</param>
    /// <param name="gradient">[N x L*K] buffer for the gradient with respect to the logits, or null.</param>
    /// <param name="accumulate">Add to <paramref name="gradient"/> instead of overwriting it.</param>
    public static float CategoricalKlFromUniform(Matrix logits, int latents, int categories, Matrix? gradient = null, bool accumulate = false)
        => CategoricalKlCore(logits, latents, categories, default, gradient, default, accumulate);

    /// <summary>
    /// KL(q || p) for L independent categorical latents of K categories, q = softmax of each group of K posterior logits
    /// and p = softmax of each group of K learned prior logits shared by all rows. Gradient per posterior logit:
    /// q_k (log q_k - log p_k - KL_latent) / N; per prior logit: mean over rows of (p_k - q_k).
    /// </summary>
    /// <param name="logits">[N x L*K] posterior logits, latent-major.</param>
    /// <param name="priorLogits">L*K prior logits (e.g. a [1 x L*K] <see cref="Parameter"/>'s value).</param>
    /// <param name="latents">L, the number of latents.</param>
    /// <param name="categories">K, categories per latent, at least 2.</param>
    /// <param name="gradient">[N x L*K] buffer for the gradient with respect to the posterior logits, or null.</param>
    /// <param name="priorGradient">L*K buffer to which the gradient with respect to the prior logits is ADDED (as with every
    /// parameter gradient), or empty to skip it.</param>
    /// <param name="accumulate">Add to <paramref name="gradient"/> instead of overwriting it.</param>
    public static float CategoricalKl(Matrix logits, ReadOnlySpan<float> priorLogits, int latents, int categories,
        Matrix? gradient = null, Span<float> priorGradient = default, bool accumulate = false)
    {
        if (priorLogits.Length != latents * categories)
            throw new ArgumentException($"Expected {latents * categories} prior logits (L x K), got {priorLogits.Length}.", nameof(priorLogits));
        if (!priorGradient.IsEmpty && priorGradient.Length != priorLogits.Length)
            throw new ArgumentException($"Expected room for {priorLogits.Length} prior gradients, got {priorGradient.Length}.", nameof(priorGradient));
        return CategoricalKlCore(logits, latents, categories, priorLogits, gradient, priorGradient, accumulate);
    }

    private static float CategoricalKlCore(Matrix logits, int latents, int categories, ReadOnlySpan<float> priorLogits,
        Matrix? gradient, Span<float> priorGradient, bool accumulate)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(latents);
        ArgumentOutOfRangeException.ThrowIfLessThan(categories, 2);
        if (logits.Cols != latents * categories)
            throw new ArgumentException($"Expected {latents} x {categories} = {latents * categories} columns, got {logits.Cols}.", nameof(logits));
        CheckGradient(logits, gradient, nameof(gradient));
        int n = logits.Rows, k = categories;
        if (n == 0) return 0f;
        bool uniform = priorLogits.IsEmpty;
        float invN = 1f / n;
        Span<float> q = k <= 256 ? stackalloc float[k] : new float[k];
        Span<float> logRatio = k <= 256 ? stackalloc float[k] : new float[k];
        Span<float> logP = k <= 256 ? stackalloc float[k] : new float[k];
        Span<float> p = k <= 256 ? stackalloc float[k] : new float[k];
        if (uniform) logP.Fill(-MathF.Log(k));
        double total = 0;
        for (int l = 0; l < latents; l++)
        {
            if (!uniform)
            {
                Activations.LogSoftmax(priorLogits.Slice(l * k, k), logP, k);
                for (int j = 0; j < k; j++) p[j] = MathF.Exp(logP[j]);
            }
            for (int r = 0; r < n; r++)
            {
                ReadOnlySpan<float> z = logits.Row(r).Slice(l * k, k);
                // One exp per category and one log per latent: q = e / s, log q = z - max - log s.
                float max = float.NegativeInfinity;
                foreach (float v in z) max = MathF.Max(max, v);
                float sum = 0f;
                for (int j = 0; j < k; j++) sum += q[j] = MathF.Exp(z[j] - max);
                float logSum = MathF.Log(sum), invSum = 1f / sum, kl = 0f;
                for (int j = 0; j < k; j++)
                {
                    q[j] *= invSum;
                    logRatio[j] = z[j] - max - logSum - logP[j]; // shift first: exact for large logits
                    kl += q[j] * logRatio[j];
                }
                total += kl;
                if (gradient is not null)
                {
                    Span<float> g = gradient.Row(r).Slice(l * k, k);
                    for (int j = 0; j < k; j++) Store(g, j, q[j] * (logRatio[j] - kl) * invN, accumulate);
                }
                if (!priorGradient.IsEmpty)
                {
                    Span<float> pg = priorGradient.Slice(l * k, k);
                    for (int j = 0; j < k; j++) pg[j] += (p[j] - q[j]) * invN;
                }
            }
        }
        return (float)(total / n);
    }
}
