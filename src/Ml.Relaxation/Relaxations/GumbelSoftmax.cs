using System.Numerics.Tensors;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Relaxations;

/// <summary>
/// Gumbel-Softmax / Concrete relaxation of a categorical sample (Jang et al. 2017; Maddison et al. 2017):
/// <c>y = softmax((logits + G) / tau)</c> with <c>G</c> standard Gumbel noise, row by row over a row-major
/// <c>[rows x categories]</c> batch. The straight-through ("hard") variant returns <c>one_hot(argmax y)</c> and its
/// index in the forward pass and uses the gradient of the soft <c>y</c> in the backward pass.
/// </summary>
/// <remarks>
/// <para>Logits need not be normalized; <c>-infinity</c> masks a category (its probability is exactly 0), but every
/// row needs at least one finite logit. NaN and <c>+infinity</c> are rejected. tau must be finite and greater than 0.</para>
/// <para>Each call reserves <c>rows * categories</c> draws of the random source; element <c>(r, k)</c> uses draw
/// <c>r * categories + k</c> of that range, so the output is the same at any thread count, and
/// <see cref="GumbelMax"/> with the same source state picks exactly <c>argmax y</c>.</para>
/// </remarks>
public static class GumbelSoftmax
{
    /// <summary>Soft sample with one temperature for all rows.</summary>
    /// <param name="rng">The random source; advanced by <c>logits.Length</c> draws.</param>
    /// <param name="logits">Unnormalized log-probabilities, row-major <c>[rows x categories]</c>.</param>
    /// <param name="categories">Categories per row (K).</param>
    /// <param name="tau">Temperature, finite and greater than 0.</param>
    /// <param name="y">Output, same shape as <paramref name="logits"/>: each row lies on the simplex.</param>
    public static void Sample(RandomSource rng, ReadOnlySpan<float> logits, int categories, float tau, Span<float> y)
    {
        Checks.Temperature(tau);
        SampleCore(rng, logits, categories, tau, default, y, default, default, hard: false);
    }

    /// <summary>Soft sample with one temperature per row (<paramref name="tau"/> has one element per row).</summary>
    /// <inheritdoc cref="Sample(RandomSource, ReadOnlySpan{float}, int, float, Span{float})"/>
    public static void Sample(RandomSource rng, ReadOnlySpan<float> logits, int categories, ReadOnlySpan<float> tau, Span<float> y)
    {
        Checks.Temperatures(tau, Checks.Rows(logits.Length, categories, nameof(logits)));
        SampleCore(rng, logits, categories, 0f, tau, y, default, default, hard: false);
    }

    /// <summary>
    /// Straight-through sample: <paramref name="oneHot"/> is exactly <c>one_hot(argmax y)</c>, <paramref name="indices"/>
    /// holds the argmax of each row, and <paramref name="softY"/> keeps the soft sample <c>y</c> that
    /// <see cref="Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, int, float, Span{float})"/> needs (pass the gradient
    /// with respect to the one-hot as <c>dy</c> there).
    /// </summary>
    /// <param name="rng">The random source; advanced by <c>logits.Length</c> draws.</param>
    /// <param name="logits">Unnormalized log-probabilities, row-major <c>[rows x categories]</c>.</param>
    /// <param name="categories">Categories per row (K).</param>
    /// <param name="tau">Temperature, finite and greater than 0 (it shapes only <paramref name="softY"/>).</param>
    /// <param name="oneHot">Output one-hot rows, same shape as <paramref name="logits"/>.</param>
    /// <param name="indices">Output category index per row.</param>
    /// <param name="softY">Output soft sample, same shape as <paramref name="logits"/>.</param>
    public static void SampleHard(RandomSource rng, ReadOnlySpan<float> logits, int categories, float tau,
        Span<float> oneHot, Span<int> indices, Span<float> softY)
    {
        Checks.Temperature(tau);
        SampleCore(rng, logits, categories, tau, default, softY, oneHot, indices, hard: true);
    }

    /// <summary>Straight-through sample with one temperature per row.</summary>
    /// <inheritdoc cref="SampleHard(RandomSource, ReadOnlySpan{float}, int, float, Span{float}, Span{int}, Span{float})"/>
    public static void SampleHard(RandomSource rng, ReadOnlySpan<float> logits, int categories, ReadOnlySpan<float> tau,
        Span<float> oneHot, Span<int> indices, Span<float> softY)
    {
        Checks.Temperatures(tau, Checks.Rows(logits.Length, categories, nameof(logits)));
        SampleCore(rng, logits, categories, 0f, tau, softY, oneHot, indices, hard: true);
    }

    /// <summary>
    /// Vector-Jacobian product of the soft sample with respect to the logits:
    /// <c>dLogits_k = y_k (dy_k - sum_j y_j dy_j) / tau</c>. For the straight-through sample pass its
    /// <c>softY</c> and the gradient with respect to the one-hot as <paramref name="dy"/>.
    /// </summary>
    /// <param name="softY">The soft sample <c>y</c> from the forward pass, <c>[rows x categories]</c>.</param>
    /// <param name="dy">Gradient of the loss with respect to <c>y</c> (or the one-hot), same shape.</param>
    /// <param name="categories">Categories per row (K).</param>
    /// <param name="tau">The temperature used in the forward pass.</param>
    /// <param name="dLogits">Output gradient with respect to the logits (overwritten; may be the same memory as <paramref name="dy"/>).</param>
    public static void Backward(ReadOnlySpan<float> softY, ReadOnlySpan<float> dy, int categories, float tau, Span<float> dLogits)
    {
        Checks.Temperature(tau);
        GumbelSoftmaxKernels.Backward(softY, dy, categories, tau, default, dLogits);
    }

    /// <summary>Vector-Jacobian product for a sample drawn with one temperature per row.</summary>
    /// <inheritdoc cref="Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, int, float, Span{float})"/>
    public static void Backward(ReadOnlySpan<float> softY, ReadOnlySpan<float> dy, int categories, ReadOnlySpan<float> tau, Span<float> dLogits)
    {
        Checks.Temperatures(tau, Checks.Rows(softY.Length, categories, nameof(softY)));
        GumbelSoftmaxKernels.Backward(softY, dy, categories, 0f, tau, dLogits);
    }

    /// <summary>
    /// Gradient of the loss with respect to a shared temperature, summed over rows:
    /// <c>dL/dtau = -(1/tau) sum_k y_k (dy_k - sum_j y_j dy_j) log y_k</c> (terms with <c>y_k = 0</c> contribute 0).
    /// Feed it to <see cref="LearnedTemperature.RawGradient"/> to learn tau.
    /// </summary>
    /// <param name="softY">The soft sample from the forward pass, <c>[rows x categories]</c>.</param>
    /// <param name="dy">Gradient of the loss with respect to <c>y</c>, same shape.</param>
    /// <param name="categories">Categories per row (K).</param>
    /// <param name="tau">The temperature used in the forward pass.</param>
    public static double TemperatureGradient(ReadOnlySpan<float> softY, ReadOnlySpan<float> dy, int categories, float tau)
    {
        Checks.Temperature(tau);
        int rows = Checks.Rows(softY.Length, categories, nameof(softY));
        Checks.Length(dy.Length, softY.Length, nameof(dy));
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            var y = softY.Slice(r * categories, categories);
            var g = dy.Slice(r * categories, categories);
            double dot = TensorPrimitives.Dot(y, g), row = 0;
            for (int k = 0; k < categories; k++)
                if (y[k] > 0f) row += y[k] * (g[k] - dot) * Math.Log(y[k]);
            total += row;
        }
        return -total / tau;
    }

    private static unsafe void SampleCore(RandomSource rng, ReadOnlySpan<float> logits, int categories, float tau,
        ReadOnlySpan<float> rowTau, Span<float> y, Span<float> oneHot, Span<int> indices, bool hard)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int rows = Checks.Rows(logits.Length, categories, nameof(logits));
        Checks.Length(y.Length, logits.Length, hard ? "softY" : nameof(y));
        if (hard)
        {
            Checks.Length(oneHot.Length, logits.Length, nameof(oneHot));
            Checks.Length(indices.Length, rows, nameof(indices));
        }
        Checks.NoOverlap(y, logits, hard ? "softY" : nameof(y), nameof(logits));
        if (hard)
        {
            Checks.NoOverlap(oneHot, logits, nameof(oneHot), nameof(logits));
            Checks.NoOverlap(oneHot, (ReadOnlySpan<float>)y, nameof(oneHot), "softY");
        }
        Checks.MaskableLogitRows(logits, categories, nameof(logits));
        ulong start = rng.Reserve(logits.Length);
        if (rows == 0) return;
        bool byLanes = SoftmaxByLanes.Handles(categories) && !SoftmaxByLanes.RowsOnThisThread;
        SoftmaxByLanes.LastSampleOnThisThreadUsedLanes = byLanes;
        fixed (float* l = logits, yp = y, t = rowTau, oh = oneHot)
        fixed (int* ix = indices)
        {
            var kernel = new GumbelSoftmaxKernels.SoftKernel
            {
                Rng = rng, Start = start, Logits = l, Y = yp, RowTau = t, Tau = tau, K = categories,
                ByLanes = byLanes, OneHot = oh, Indices = ix,
            };
            int bad = RowParallel.Run(kernel, rows, categories);
            if (bad >= 0) Checks.ThrowAllMasked(bad, nameof(logits));
        }
    }
}
