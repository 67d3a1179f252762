using System.Numerics.Tensors;
using Ml.Relaxation.Numerics;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Relaxations;

/// <summary>
/// Binary Concrete (relaxed Bernoulli) with logit <c>a</c> and temperature tau:
/// <c>y = sigmoid((a + L) / tau)</c>, <c>L = log U - log(1 - U)</c> standard logistic noise (equal in law to the
/// difference of two Gumbels, so this is the two-class Gumbel-Softmax). Element-wise over any span.
/// </summary>
/// <remarks>
/// Each call reserves one draw per element; element <c>i</c> uses draw <c>i</c> of that range. Logits may be
/// +-infinity when sampling (y is then exactly 1 or 0) but not NaN.
/// </remarks>
public static class BinaryConcrete
{
    /// <summary>Samples <c>y = sigmoid((a + L) / tau)</c> in (0, 1) for each logit.</summary>
    /// <param name="rng">The random source; advanced by <c>logits.Length</c> draws.</param>
    /// <param name="logits">Bernoulli logits <c>a = log(p / (1 - p))</c>.</param>
    /// <param name="tau">Temperature, finite and greater than 0.</param>
    /// <param name="y">Output, same length as <paramref name="logits"/>.</param>
    public static void Sample(RandomSource rng, ReadOnlySpan<float> logits, float tau, Span<float> y)
    {
        SampleLogitCore(rng, logits, tau, y, nameof(y));
        Sigmoid(y);
    }

    /// <summary>Samples the pre-sigmoid value <c>x = (a + L) / tau</c> (the stable coordinate for <see cref="LogitLogDensity"/>).</summary>
    /// <param name="rng">The random source; advanced by <c>logits.Length</c> draws.</param>
    /// <param name="logits">Bernoulli logits <c>a = log(p / (1 - p))</c>.</param>
    /// <param name="tau">Temperature, finite and greater than 0.</param>
    /// <param name="x">Output, same length as <paramref name="logits"/>.</param>
    public static void SampleLogit(RandomSource rng, ReadOnlySpan<float> logits, float tau, Span<float> x) =>
        SampleLogitCore(rng, logits, tau, x, nameof(x));

    private static void SampleLogitCore(RandomSource rng, ReadOnlySpan<float> logits, float tau, Span<float> x, string outputName)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Checks.Temperature(tau);
        Checks.Length(x.Length, logits.Length, outputName);
        Checks.NoOverlap(x, logits, outputName, nameof(logits));
        Checks.NotNaN(logits, nameof(logits));
        rng.NextUniforms(x);
        ElementMath.UniformToLogistic(x);
        TensorPrimitives.Add(logits, x, x);
        TensorPrimitives.Multiply(x, 1f / tau, x);
    }

    /// <summary>
    /// Straight-through sample: <paramref name="hard"/> is exactly 0 or 1 (1 where <c>y &gt; 1/2</c>, which happens with
    /// probability <c>sigmoid(a)</c> at any tau) and <paramref name="softY"/> keeps the soft <c>y</c> for
    /// <see cref="Backward"/> (pass the gradient with respect to the hard value as <c>dy</c> there).
    /// </summary>
    /// <param name="rng">The random source; advanced by <c>logits.Length</c> draws.</param>
    /// <param name="logits">Bernoulli logits.</param>
    /// <param name="tau">Temperature, finite and greater than 0.</param>
    /// <param name="hard">Output 0/1 values.</param>
    /// <param name="softY">Output soft sample.</param>
    public static void SampleStraightThrough(RandomSource rng, ReadOnlySpan<float> logits, float tau, Span<float> hard, Span<float> softY)
    {
        Checks.Length(hard.Length, logits.Length, nameof(hard));
        Checks.NoOverlap(hard, (ReadOnlySpan<float>)softY, nameof(hard), nameof(softY));
        SampleLogitCore(rng, logits, tau, softY, nameof(softY));
        for (int i = 0; i < softY.Length; i++) hard[i] = softY[i] > 0f ? 1f : 0f;
        Sigmoid(softY);
    }

    /// <summary>Vector-Jacobian product with respect to the logits: <c>dLogits = dy * y (1 - y) / tau</c>.</summary>
    /// <param name="softY">The soft sample from the forward pass.</param>
    /// <param name="dy">Gradient of the loss with respect to <c>y</c> (or the hard value, for straight-through).</param>
    /// <param name="tau">The temperature used in the forward pass.</param>
    /// <param name="dLogits">Output (overwritten; may be the same memory as <paramref name="dy"/>).</param>
    public static void Backward(ReadOnlySpan<float> softY, ReadOnlySpan<float> dy, float tau, Span<float> dLogits)
    {
        Checks.Temperature(tau);
        Checks.Length(dy.Length, softY.Length, nameof(dy));
        Checks.Length(dLogits.Length, softY.Length, nameof(dLogits));
        float invTau = 1f / tau;
        for (int i = 0; i < softY.Length; i++)
        {
            float y = softY[i];
            dLogits[i] = dy[i] * y * (1f - y) * invTau;
        }
    }

    /// <summary>
    /// Log-density of the pre-sigmoid value <c>x = (a + L) / tau</c>:
    /// <c>log tau + (a - tau x) - 2 softplus(a - tau x)</c>. Stable for any finite inputs.
    /// </summary>
    /// <param name="logits">Bernoulli logits, finite.</param>
    /// <param name="x">Points, same length, finite.</param>
    /// <param name="tau">Temperature, finite and greater than 0.</param>
    /// <param name="logDensity">Output, same length.</param>
    public static void LogitLogDensity(ReadOnlySpan<float> logits, ReadOnlySpan<float> x, float tau, Span<float> logDensity)
    {
        Checks.Temperature(tau);
        Checks.Length(x.Length, logits.Length, nameof(x));
        Checks.Length(logDensity.Length, logits.Length, nameof(logDensity));
        Checks.Logits(logits, nameof(logits), allowNegativeInfinity: false);
        Checks.Logits(x, nameof(x), allowNegativeInfinity: false);
        double logTau = Math.Log(tau);
        for (int i = 0; i < x.Length; i++)
        {
            double d = logits[i] - (double)tau * x[i];
            logDensity[i] = (float)(logTau + d - 2 * ScalarMath.Softplus(d));
        }
    }

    /// <summary>
    /// Log-density of <c>y</c> in (0, 1): <see cref="LogitLogDensity"/> at <c>x = log y - log(1 - y)</c> minus
    /// <c>log y + log(1 - y)</c>. <c>y</c> must lie strictly inside (0, 1); prefer the logit form at low tau, where
    /// samples round to 0 or 1.
    /// </summary>
    /// <param name="logits">Bernoulli logits, finite.</param>
    /// <param name="y">Points strictly inside (0, 1), same length.</param>
    /// <param name="tau">Temperature, finite and greater than 0.</param>
    /// <param name="logDensity">Output, same length.</param>
    public static void LogDensity(ReadOnlySpan<float> logits, ReadOnlySpan<float> y, float tau, Span<float> logDensity)
    {
        Checks.Temperature(tau);
        Checks.Length(y.Length, logits.Length, nameof(y));
        Checks.Length(logDensity.Length, logits.Length, nameof(logDensity));
        Checks.Logits(logits, nameof(logits), allowNegativeInfinity: false);
        double logTau = Math.Log(tau);
        for (int i = 0; i < y.Length; i++)
        {
            double v = y[i];
            if (!(v > 0 && v < 1))
                throw new ArgumentOutOfRangeException(nameof(y), y[i], $"Element {i} must lie strictly inside (0, 1).");
            double logY = Math.Log(v), log1mY = Math.Log(1 - v);
            double d = logits[i] - tau * (logY - log1mY);
            logDensity[i] = (float)(logTau + d - 2 * ScalarMath.Softplus(d) - logY - log1mY);
        }
    }

    private static void Sigmoid(Span<float> values) => ElementMath.Sigmoid(values);
}
