using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Relaxations;

/// <summary>
/// The Concrete distribution's density (Maddison, Mnih and Teh 2017, Definition 1), evaluated in its stable log-space
/// (ExpConcrete) form, and a sampler that returns <c>log y</c> directly.
/// </summary>
/// <remarks>
/// For logits <c>l</c> (log alpha), temperature tau and K categories,
/// <c>log p(y) = log((K-1)!) + (K-1) log tau + sum_k (l_k - (tau+1) log y_k) - K log sum_k exp(l_k - tau log y_k)</c>,
/// a density with respect to Lebesgue measure on the first K-1 coordinates of the simplex. Points are given as
/// <c>x = log y</c> so that coordinates that round to 0 or 1 in linear space keep their information; the density of
/// <c>x</c> itself (ExpConcrete) is the same expression without the <c>-sum_k log y_k</c> Jacobian term. Logits and
/// <c>log y</c> must be finite (a masked category has no density on the full simplex).
/// </remarks>
public static class Concrete
{
    /// <summary>Log-density of Concrete(logits, tau) at the simplex points <c>y = exp(logY)</c>, one value per row.</summary>
    /// <param name="logits">Log alpha, row-major <c>[rows x categories]</c>, finite.</param>
    /// <param name="logY">The points in log space, same shape; each row should satisfy <c>sum_k exp(logY_k) = 1</c>.</param>
    /// <param name="categories">Categories per row (K).</param>
    /// <param name="tau">Temperature, finite and greater than 0.</param>
    /// <param name="logDensity">Output, one value per row.</param>
    public static void LogDensity(ReadOnlySpan<float> logits, ReadOnlySpan<float> logY, int categories, float tau, Span<float> logDensity) =>
        Core(logits, logY, categories, tau, logDensity, jacobian: true);

    /// <summary>Log-density of ExpConcrete(logits, tau), the law of <c>x = log y</c>, at <paramref name="logY"/>; one value per row.</summary>
    /// <inheritdoc cref="LogDensity"/>
    public static void ExpConcreteLogDensity(ReadOnlySpan<float> logits, ReadOnlySpan<float> logY, int categories, float tau, Span<float> logDensity) =>
        Core(logits, logY, categories, tau, logDensity, jacobian: false);

    /// <summary>
    /// Samples <c>x = log y</c> for <c>y ~ Concrete(logits, tau)</c>: <c>x = w - logsumexp(w)</c>, <c>w = (logits + G) / tau</c>.
    /// Uses the same draws as <see cref="GumbelSoftmax.Sample(RandomSource, ReadOnlySpan{float}, int, float, Span{float})"/>,
    /// so <c>exp(x)</c> is that soft sample. Masked (-infinity) logits give <c>x = -infinity</c>.
    /// </summary>
    /// <param name="rng">The random source; advanced by <c>logits.Length</c> draws.</param>
    /// <param name="logits">Unnormalized log-probabilities, row-major <c>[rows x categories]</c>.</param>
    /// <param name="categories">Categories per row (K).</param>
    /// <param name="tau">Temperature, finite and greater than 0.</param>
    /// <param name="logY">Output, same shape as <paramref name="logits"/>.</param>
    public static void SampleLog(RandomSource rng, ReadOnlySpan<float> logits, int categories, float tau, Span<float> logY)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Checks.Temperature(tau);
        int rows = Checks.Rows(logits.Length, categories, nameof(logits));
        Checks.Length(logY.Length, logits.Length, nameof(logY));
        Checks.NoOverlap(logY, logits, nameof(logY), nameof(logits));
        Checks.MaskableLogitRows(logits, categories, nameof(logits));
        rng.NextUniforms(logY);
        ElementMath.UniformToGumbel(logY);
        float invTau = 1f / tau;
        for (int r = 0; r < rows; r++)
        {
            var l = logits.Slice(r * categories, categories);
            var x = logY.Slice(r * categories, categories);
            // Large logits are shifted by the row's largest before the noise is added, as in GumbelSoftmax (RowShift):
            // they would otherwise swallow the noise's low bits.
            float shift = GumbelSoftmaxKernels.RowShift(l), max = float.NegativeInfinity;
            for (int k = 0; k < categories; k++)
            {
                x[k] = (l[k] - shift + x[k]) * invTau;
                max = Math.Max(max, x[k]);
            }
            double sum = 0;
            for (int k = 0; k < categories; k++) sum += Math.Exp(x[k] - max);
            // (x - max) - log(sum), not x - (max + log(sum)): the latter rounds the log-sum to the float spacing of x,
            // 6e-5 at x = 1000 (logits 50 at tau 0.05), and the samples no longer normalize.
            float logSum = (float)Math.Log(sum);
            for (int k = 0; k < categories; k++) x[k] = x[k] - max - logSum;
        }
    }

    private static void Core(ReadOnlySpan<float> logits, ReadOnlySpan<float> logY, int categories, float tau, Span<float> logDensity, bool jacobian)
    {
        Checks.Temperature(tau);
        int rows = Checks.Rows(logits.Length, categories, nameof(logits));
        Checks.Length(logY.Length, logits.Length, nameof(logY));
        Checks.Length(logDensity.Length, rows, nameof(logDensity));
        Checks.Logits(logits, nameof(logits), allowNegativeInfinity: false);
        Checks.Logits(logY, nameof(logY), allowNegativeInfinity: false);
        double constant = (categories - 1) * Math.Log(tau);
        for (int i = 2; i < categories; i++) constant += Math.Log(i); // log((K-1)!)
        for (int r = 0; r < rows; r++)
        {
            var l = logits.Slice(r * categories, categories);
            var x = logY.Slice(r * categories, categories);
            // a_k = l_k - tau x_k; log sum_k alpha_k y_k^-tau = logsumexp(a).
            double max = double.NegativeInfinity, sumA = 0, sumX = 0;
            for (int k = 0; k < categories; k++)
            {
                double a = l[k] - (double)tau * x[k];
                sumA += a;
                sumX += x[k];
                max = Math.Max(max, a);
            }
            double sumExp = 0;
            for (int k = 0; k < categories; k++) sumExp += Math.Exp(l[k] - (double)tau * x[k] - max);
            double value = constant + sumA - categories * (max + Math.Log(sumExp));
            logDensity[r] = (float)(jacobian ? value - sumX : value);
        }
    }
}
