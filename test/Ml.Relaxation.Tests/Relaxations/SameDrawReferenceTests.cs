using Ml.Relaxation.Parallelism;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;
using Ml.Relaxation.Tests.Reliability;

namespace Ml.Relaxation.Tests.Relaxations;

/// <summary>
/// Every sampler against a plain scalar formula in double precision fed the same uniforms, at sizes that take every
/// internal path: one element, a tail shorter than a vector (1, 7), whole vectors (8, 64), vectors plus a tail (9,
/// 17, 63, 100), rows eight at a time in vector lanes (8 to 63 categories, whole groups and a last partial group),
/// whole-row vector code (64 and more), blocks of rows that cross the 2048-element noise buffer, rows longer than that
/// buffer (2049, 4100: two and three segments), and a batch large enough to be split across threads.
/// </summary>
/// <remarks>
/// Statistical tests only see the paths their sizes take; these see each element. Tolerances come from the float
/// kernels' accuracy: the vector log and exp err by at most 2 ulp (see <see cref="VectorMathTests"/>), so Gumbel noise
/// <c>-log(-log u)</c> errs by at most about <c>1e-6 (1 + |g|)</c>, and everything built on it by that much scaled by
/// the derivative of the formula. Every wrong formula this guards against (a dropped 1/tau, Gumbel for logistic noise,
/// a flipped sign, reused noise) moves values by 1e-2 or more.
/// </remarks>
public class SameDrawReferenceTests
{
    /// <summary>Row lengths (categories, or gates per row for Hard Concrete) on every path.</summary>
    public static TheoryData<int> Sizes => new() { 1, 7, 8, 9, 17, 63, 64, 100, 2049, 4096, 4100 };

    /// <summary>Rows for a row length: several lane groups plus a partial one, and enough rows to cross a noise block.</summary>
    private static int RowsFor(int k) => k >= 2048 ? 3 : Math.Max(19, 2 * 2048 / k + 5);

    private static float[] Uniforms(ulong seed, int n, ulong position = 0)
    {
        var u = new float[n];
        new RandomSource(seed) { Position = position }.NextUniforms(u);
        return u;
    }

    private static float[] Logits(int n, ulong seed, float scale = 3f)
    {
        var x = Uniforms(seed ^ 0xABCDEF, n);
        for (int i = 0; i < n; i++) x[i] = scale * (2 * x[i] - 1);
        return x;
    }

    private static double GumbelOf(float u) => -Math.Log(-Math.Log(u));

    private static double LogisticNoise(float u) => Math.Log(u) - Math.Log(1.0 - u);

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static void Near(double expected, float actual, double tolerance, string where) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{where}: expected {expected:R}, got {actual:R} (tolerance {tolerance:G3})");

    /// <summary>The reference argmax of <c>z</c>, and whether the runner-up is so close that float rounding may swap them.</summary>
    private static (int Arg, bool Tie) ArgMax(double[] z)
    {
        int arg = 0;
        for (int j = 1; j < z.Length; j++) if (z[j] > z[arg]) arg = j;
        bool tie = false;
        for (int j = 0; j < z.Length; j++) if (j != arg && z[arg] - z[j] < 1e-4 * (1 + Math.Abs(z[arg]))) tie = true;
        return (arg, tie);
    }

    [Theory, MemberData(nameof(Sizes))]
    public void Gumbel_noise_is_minus_log_minus_log_of_the_same_uniforms(int n)
    {
        var g = new float[n];
        var rng = new RandomSource(3) { Position = 5 }; // an unaligned start: the fill begins inside a Philox block
        Gumbel.Sample(rng, g);
        Assert.Equal(5UL + (ulong)n, rng.Position);
        var u = Uniforms(3, n, 5);
        for (int i = 0; i < n; i++) Near(GumbelOf(u[i]), g[i], 1e-6 * (1 + Math.Abs(GumbelOf(u[i]))), $"element {i}");
    }

    [Theory, MemberData(nameof(Sizes))]
    public void Gumbel_max_picks_the_argmax_of_the_logits_plus_the_same_noise(int k)
    {
        int rows = RowsFor(k);
        var logits = Logits(rows * k, 11);
        var idx = new int[rows];
        var hot = new float[rows * k];
        GumbelMax.SampleOneHot(new RandomSource(12), logits, k, hot, idx);
        var u = Uniforms(12, rows * k);
        for (int r = 0; r < rows; r++)
        {
            var z = Enumerable.Range(0, k).Select(j => logits[r * k + j] + GumbelOf(u[r * k + j])).ToArray();
            var (arg, tie) = ArgMax(z);
            if (!tie) Assert.True(arg == idx[r], $"row {r}: expected category {arg}, got {idx[r]}");
            for (int j = 0; j < k; j++) Assert.Equal(j == idx[r] ? 1f : 0f, hot[r * k + j]);
        }
    }

    [Fact]
    public void Gumbel_max_rows_longer_than_the_noise_buffer_take_each_segment_s_own_noise()
    {
        // Three segments of 2048, 2048 and 904 categories; the last segment's logits are 2 higher, so most winners are
        // there, where only that segment's own draws put the right category first.
        const int k = 5000, rows = 6;
        var logits = new float[rows * k];
        for (int r = 0; r < rows; r++) logits.AsSpan(r * k + 2 * GumbelSoftmaxKernels.BlockElements, k - 2 * GumbelSoftmaxKernels.BlockElements).Fill(2f);
        var idx = new int[rows];
        GumbelMax.Sample(new RandomSource(13), logits, k, idx);
        var u = Uniforms(13, rows * k);
        for (int r = 0; r < rows; r++)
        {
            var (arg, tie) = ArgMax(Enumerable.Range(0, k).Select(j => logits[r * k + j] + GumbelOf(u[r * k + j])).ToArray());
            if (!tie) Assert.True(arg == idx[r], $"row {r}: expected category {arg}, got {idx[r]}");
        }
        Assert.Contains(idx, i => i >= 2 * GumbelSoftmaxKernels.BlockElements); // a winner in the third segment was seen
        Assert.Contains(idx, i => i < 2 * GumbelSoftmaxKernels.BlockElements); // and one in the first two
    }

    public static TheoryData<int, bool, bool> SoftmaxCases()
    {
        var data = new TheoryData<int, bool, bool>();
        foreach (int k in new[] { 1, 7, 8, 9, 17, 63, 64, 100, 2049 })
            foreach (bool hard in new[] { false, true })
                foreach (bool perRow in new[] { false, true })
                    data.Add(k, hard, perRow);
        return data;
    }

    [Theory, MemberData(nameof(SoftmaxCases))]
    public void Gumbel_softmax_is_the_softmax_of_the_same_perturbed_logits_and_hard_is_its_argmax(int k, bool hard, bool perRowTau)
    {
        int rows = RowsFor(k);
        var logits = Logits(rows * k, 21);
        for (int r = 0; r < rows; r += 5) if (k > 1) logits[r * k + r % k] = float.NegativeInfinity; // masked categories
        var taus = Enumerable.Range(0, rows).Select(r => 0.5f + 0.1f * (r % 7)).ToArray();
        const float tau = 0.7f;
        var y = new float[rows * k];
        var hot = new float[rows * k];
        var idx = new int[rows];
        var rng = new RandomSource(22);
        if (hard && perRowTau) GumbelSoftmax.SampleHard(rng, logits, k, taus, hot, idx, y);
        else if (hard) GumbelSoftmax.SampleHard(rng, logits, k, tau, hot, idx, y);
        else if (perRowTau) GumbelSoftmax.Sample(rng, logits, k, taus, y);
        else GumbelSoftmax.Sample(rng, logits, k, tau, y);
        Assert.Equal((ulong)(rows * k), rng.Position);

        var u = Uniforms(22, rows * k);
        for (int r = 0; r < rows; r++)
        {
            double t = perRowTau ? taus[r] : tau;
            var z = Enumerable.Range(0, k).Select(j => logits[r * k + j] + GumbelOf(u[r * k + j])).ToArray();
            double max = z.Max(), sum = z.Sum(v => Math.Exp((v - max) / t));
            for (int j = 0; j < k; j++)
            {
                // |z| < 20 here: the noise errs by about 2e-5 at most, so (z - max) / tau by 1e-4 at tau = 0.5, and y by that much relatively.
                double expected = Math.Exp((z[j] - max) / t) / sum;
                Near(expected, y[r * k + j], 1e-4 * expected + 1e-7, $"row {r}, category {j}");
            }
            if (!hard) continue;
            var (arg, tie) = ArgMax(z);
            if (!tie) Assert.True(arg == idx[r], $"row {r}: expected category {arg}, got {idx[r]}");
            for (int j = 0; j < k; j++) Assert.Equal(j == idx[r] ? 1f : 0f, hot[r * k + j]);
            Assert.Equal(y.AsSpan(r * k, k).ToArray().Max(), y[r * k + idx[r]]); // the hard sample is the soft sample's argmax
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(17)]
    [InlineData(64)]
    [InlineData(100)]
    public void A_batch_split_across_threads_gives_the_reference_values(int k)
    {
        // 70,000 elements or more: above the 32K-per-thread threshold, so two threads each take part of the rows.
        int rows = (70_000 + k - 1) / k;
        var logits = Logits(rows * k, 31);
        var y = new float[rows * k];
        var gates = new float[rows * k];
        using (DegreeOfParallelism.Override(2))
        {
            GumbelSoftmax.Sample(new RandomSource(32), logits, k, 0.6f, y);
            HardConcrete.Sample(new RandomSource(33), logits.AsSpan(0, k), rows, gates, default);
        }
        var u = Uniforms(32, rows * k);
        var v = Uniforms(33, rows * k);
        var p = HardConcreteParameters.Default;
        for (int r = 0; r < rows; r += 97)
        {
            var z = Enumerable.Range(0, k).Select(j => (logits[r * k + j] + GumbelOf(u[r * k + j])) / 0.6).ToArray();
            double max = z.Max(), sum = z.Sum(w => Math.Exp(w - max));
            for (int j = 0; j < k; j++)
            {
                double expected = Math.Exp(z[j] - max) / sum;
                Near(expected, y[r * k + j], 1e-4 * expected + 1e-7, $"row {r}, category {j}");
                double s = Sigmoid((LogisticNoise(v[r * k + j]) + logits[j]) / p.Beta);
                Near(Math.Clamp(s * (p.Zeta - p.Gamma) + p.Gamma, 0, 1), gates[r * k + j], 1e-5, $"gate ({r}, {j})");
            }
        }
    }

    [Theory, MemberData(nameof(Sizes))]
    public void Concrete_log_sample_is_the_log_softmax_of_the_same_perturbed_logits(int k)
    {
        int rows = Math.Min(RowsFor(k), 40);
        const float tau = 0.6f;
        var logits = Logits(rows * k, 41);
        var x = new float[rows * k];
        Concrete.SampleLog(new RandomSource(42), logits, k, tau, x);
        var u = Uniforms(42, rows * k);
        for (int r = 0; r < rows; r++)
        {
            var w = Enumerable.Range(0, k).Select(j => (logits[r * k + j] + GumbelOf(u[r * k + j])) / tau).ToArray();
            double max = w.Max(), lse = max + Math.Log(w.Sum(v => Math.Exp(v - max)));
            // |w| < 40: the noise's error over tau, 4e-5, plus float rounding of w - max.
            for (int j = 0; j < k; j++) Near(w[j] - lse, x[r * k + j], 1e-4 * (1 + Math.Abs(w[j] - lse)), $"row {r}, category {j}");
        }
    }

    [Theory, MemberData(nameof(Sizes))]
    public void Binary_concrete_samples_are_the_sigmoid_of_the_logit_plus_the_same_logistic_noise_over_tau(int n)
    {
        const float tau = 0.4f;
        var logits = Logits(n, 51);
        var y = new float[n];
        var x = new float[n];
        var hard = new float[n];
        var soft = new float[n];
        BinaryConcrete.Sample(new RandomSource(52), logits, tau, y);
        BinaryConcrete.SampleLogit(new RandomSource(52), logits, tau, x);
        BinaryConcrete.SampleStraightThrough(new RandomSource(52), logits, tau, hard, soft);
        var u = Uniforms(52, n);
        for (int i = 0; i < n; i++)
        {
            double logit = (logits[i] + LogisticNoise(u[i])) / tau;
            // The logistic noise errs by a few ulp of |log u| + |log(1 - u)| (below 17), 1e-5 after dividing by tau.
            Near(logit, x[i], 1e-5 * (1 + Math.Abs(logit)), $"logit {i}");
            double s = Sigmoid(logit);
            Near(s, y[i], 1e-5 * s * (1 - s) * (1 + Math.Abs(logit)) + 1e-7, $"sample {i}");
            Assert.Equal(y[i], soft[i]);
            if (Math.Abs(logit) > 1e-4) Assert.Equal(logit > 0 ? 1f : 0f, hard[i]);
        }
    }

    public static TheoryData<int, bool> HardConcreteCases()
    {
        var data = new TheoryData<int, bool>();
        foreach (int d in new[] { 1, 7, 8, 9, 17, 63, 64, 100, 2049 })
        {
            data.Add(d, false);
            data.Add(d, true);
        }
        return data;
    }

    [Theory, MemberData(nameof(HardConcreteCases))]
    public void Hard_concrete_gates_and_derivatives_are_the_stretched_clamped_binary_concrete_of_the_same_draws(int d, bool customParameters)
    {
        var p = customParameters ? new HardConcreteParameters(-0.3, 1.4, 0.5) : HardConcreteParameters.Default;
        int rows = RowsFor(d);
        var logAlpha = Logits(d, 61, 4f);
        var z = new float[rows * d];
        var grad = new float[rows * d];
        var zOnly = new float[rows * d];
        var rng = new RandomSource(62);
        HardConcrete.Sample(rng, logAlpha, rows, z, grad, p);
        Assert.Equal((ulong)(rows * d), rng.Position);
        HardConcrete.Sample(new RandomSource(62), logAlpha, rows, zOnly, default, p);
        Assert.Equal(z, zOnly);
        var u = Uniforms(62, rows * d);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < d; j++)
            {
                int i = r * d + j;
                double s = Sigmoid((LogisticNoise(u[i]) + logAlpha[j]) / p.Beta);
                double sBar = s * (p.Zeta - p.Gamma) + p.Gamma;
                Near(Math.Clamp(sBar, 0, 1), z[i], 1e-5, $"gate ({r}, {j})");
                if (Math.Abs(sBar) < 1e-5 || Math.Abs(sBar - 1) < 1e-5) continue; // at a clamp edge rounding may decide
                double expected = sBar > 0 && sBar < 1 ? (p.Zeta - p.Gamma) * s * (1 - s) / p.Beta : 0;
                Near(expected, grad[i], 1e-5 * (1 + expected), $"derivative ({r}, {j})");
            }
    }

    public static TheoryData<int> BackwardSizes => new() { 1, 7, 8, 9, 17, 63, 64, 65, 100, 2049 };

    [Theory, MemberData(nameof(BackwardSizes))]
    public void Gumbel_softmax_backward_is_y_times_dy_minus_its_mean_under_y_over_tau(int k)
    {
        const int rows = 11;
        var y = new float[rows * k];
        GumbelSoftmax.Sample(new RandomSource(71), Logits(rows * k, 72), k, 1f, y);
        var dy = Logits(rows * k, 73, 2f);
        var taus = Enumerable.Range(0, rows).Select(r => 0.3f + 0.2f * r).ToArray();
        const float tau = 0.45f;
        var shared = new float[rows * k];
        var perRow = new float[rows * k];
        var aliased = (float[])dy.Clone();
        GumbelSoftmax.Backward(y, dy, k, tau, shared);
        GumbelSoftmax.Backward(y, dy, k, taus, perRow);
        GumbelSoftmax.Backward(y, aliased, k, tau, aliased); // dLogits may be dy's memory
        Assert.Equal(shared, aliased);
        double dTau = 0;
        for (int r = 0; r < rows; r++)
        {
            double dot = 0;
            for (int j = 0; j < k; j++) dot += (double)y[r * k + j] * dy[r * k + j];
            for (int j = 0; j < k; j++)
            {
                double v = y[r * k + j] * (dy[r * k + j] - dot);
                Near(v / tau, shared[r * k + j], 1e-5 * (1 + Math.Abs(v / tau)), $"row {r}, category {j}");
                Near(v / taus[r], perRow[r * k + j], 1e-5 * (1 + Math.Abs(v / taus[r])), $"row {r}, category {j}, per-row tau");
                if (y[r * k + j] > 0) dTau -= v * Math.Log(y[r * k + j]) / tau;
            }
        }
        double temperature = GumbelSoftmax.TemperatureGradient(y, dy, k, tau);
        Assert.True(Math.Abs(dTau - temperature) <= 1e-4 * (1 + Math.Abs(dTau)), $"dL/dtau: expected {dTau}, got {temperature}");
    }

    [Theory, MemberData(nameof(Sizes))]
    public void Binary_concrete_backward_is_dy_y_one_minus_y_over_tau(int n)
    {
        const float tau = 0.35f;
        var y = new float[n];
        BinaryConcrete.Sample(new RandomSource(81), Logits(n, 82), 1f, y);
        var dy = Logits(n, 83, 2f);
        var d = new float[n];
        BinaryConcrete.Backward(y, dy, tau, d);
        for (int i = 0; i < n; i++)
        {
            double expected = (double)dy[i] * y[i] * (1 - y[i]) / tau;
            Near(expected, d[i], 1e-6 * (1 + Math.Abs(expected)), $"element {i}");
        }
    }
}
