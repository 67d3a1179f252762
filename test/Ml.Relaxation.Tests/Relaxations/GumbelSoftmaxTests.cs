using Ml.Relaxation.Parallelism;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;
using Ml.Relaxation.Tests.Reliability;

namespace Ml.Relaxation.Tests.Relaxations;

public class GumbelSoftmaxTests
{
    private static float[] RandomLogits(int length, ulong seed, float scale = 3f)
    {
        var x = new float[length];
        new RandomSource(seed).NextUniforms(x);
        for (int i = 0; i < x.Length; i++) x[i] = scale * (2 * x[i] - 1);
        return x;
    }

    [Fact]
    public void Soft_rows_lie_on_the_simplex_and_masked_entries_are_zero()
    {
        const int n = 500, k = 6;
        var logits = RandomLogits(n * k, 1);
        for (int r = 0; r < n; r += 3) logits[r * k + 2] = float.NegativeInfinity;
        var y = new float[n * k];
        GumbelSoftmax.Sample(new RandomSource(2), logits, k, 0.5f, y);
        for (int r = 0; r < n; r++)
        {
            double sum = 0;
            for (int j = 0; j < k; j++) { Assert.InRange(y[r * k + j], 0f, 1f); sum += y[r * k + j]; }
            Assert.Equal(1.0, sum, 5);
            if (r % 3 == 0) Assert.Equal(0f, y[r * k + 2]);
        }
    }

    /// <summary>Row lengths on every code path: short rows row by row, 8 to 63 with eight rows in vector lanes (exact
    /// multiples of 8 and not, with an overlapping last column block), long rows with whole-row vector code.</summary>
    public static TheoryData<int> RowLengths => new() { 2, 5, 8, 10, 17, 63, 64, 100 };

    [Theory, MemberData(nameof(RowLengths))]
    public void Soft_sample_equals_the_softmax_of_perturbed_logits_computed_independently(int k)
    {
        // Reference: Gumbel noise from the same draws, softmax in double precision. 53 rows: whole groups of 8 and a tail.
        const int n = 53;
        const float tau = 0.8f;
        var logits = RandomLogits(n * k, 3);
        for (int r = 0; r < n; r += 4) logits[r * k + (r % k)] = float.NegativeInfinity; // masked, never the whole row
        var y = new float[n * k];
        GumbelSoftmax.Sample(new RandomSource(8), logits, k, tau, y);
        var u = new float[n * k];
        new RandomSource(8).NextUniforms(u);
        for (int r = 0; r < n; r++)
        {
            var w = Enumerable.Range(0, k).Select(j => (logits[r * k + j] - Math.Log(-Math.Log(u[r * k + j]))) / tau).ToArray();
            double max = w.Max(), sum = w.Sum(v => Math.Exp(v - max));
            // Float noise and exponentials err by a few ulp of their arguments (|w| < 20 here), about 1e-6 in y.
            for (int j = 0; j < k; j++) Assert.True(Math.Abs(Math.Exp(w[j] - max) / sum - y[r * k + j]) <= 1e-6, $"row {r}, category {j}");
        }
    }

    [Theory, MemberData(nameof(RowLengths))]
    public void Hard_sample_picks_the_first_largest_soft_entry_and_rows_do_not_depend_on_the_batch_around_them(int k)
    {
        const int n = 29;
        var logits = RandomLogits(n * k, 21);
        for (int j = 0; j < k; j++) logits[3 * k + j] = 1f; // ties everywhere: the noise still breaks them
        var taus = Enumerable.Range(0, n).Select(r => 0.2f + 0.1f * r).ToArray();
        var hot = new float[n * k]; var soft = new float[n * k]; var idx = new int[n];
        GumbelSoftmax.SampleHard(new RandomSource(22), logits, k, taus, hot, idx, soft);
        var gumbelMax = new int[n];
        GumbelMax.Sample(new RandomSource(22), logits, k, gumbelMax);
        Assert.Equal(gumbelMax, idx);
        for (int r = 0; r < n; r++)
        {
            var row = soft.AsSpan(r * k, k);
            Assert.Equal(row.IndexOf(row.ToArray().Max()), idx[r]);
            for (int j = 0; j < k; j++) Assert.Equal(j == idx[r] ? 1f : 0f, hot[r * k + j]);
            // The same row alone, with the draws it had in the batch, gives the same bits whichever group it was in.
            var rng = new RandomSource(22) { Position = (ulong)(r * k) };
            var alone = new float[k]; var aloneHot = new float[k]; var aloneIdx = new int[1];
            GumbelSoftmax.SampleHard(rng, logits.AsSpan(r * k, k), k, taus.AsSpan(r, 1), aloneHot, aloneIdx, alone);
            Assert.Equal(alone, row.ToArray());
            Assert.Equal(idx[r], aloneIdx[0]);
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(10)]
    [InlineData(17)]
    [InlineData(63)]
    public void The_row_by_row_softmax_of_machines_without_AVX2_agrees_with_the_lanes(int k)
    {
        const int n = 37;
        var logits = RandomLogits(n * k, 24);
        logits[5 * k + 1] = float.NegativeInfinity;
        var taus = Enumerable.Range(0, n).Select(r => 0.3f + 0.05f * r).ToArray();
        float[] Run(bool rows, out int[] idx)
        {
            var hot = new float[n * k]; var soft = new float[n * k];
            idx = new int[n];
            try
            {
                SoftmaxByLanes.RowsOnThisThread = rows;
                GumbelSoftmax.SampleHard(new RandomSource(25), logits, k, taus, hot, idx, soft);
                // The path the sample took: the hook must turn the lanes off, and without it this machine uses them if it can.
                Assert.Equal(!rows && SoftmaxByLanes.Handles(k), SoftmaxByLanes.LastSampleOnThisThreadUsedLanes);
            }
            finally { SoftmaxByLanes.RowsOnThisThread = false; }
            return soft;
        }
        var lanes = Run(false, out var laneIdx);
        var byRows = Run(true, out var rowIdx);
        Assert.Equal(laneIdx, rowIdx); // the argmax is taken from the same perturbed logits by both
        for (int i = 0; i < lanes.Length; i++) Assert.True(Math.Abs(lanes[i] - byRows[i]) <= 1e-6, $"element {i}: {lanes[i]} vs {byRows[i]}");
    }

    [Theory]
    [InlineData(10, 5)]   // in a full group of eight rows
    [InlineData(10, 19)]  // in the tail of 21 rows
    [InlineData(5, 11)]
    [InlineData(64, 2)]
    public void A_row_with_every_category_masked_is_named_in_the_error(int k, int badRow)
    {
        const int n = 21;
        var logits = RandomLogits(n * k, 23);
        for (int j = 0; j < k; j++) logits[badRow * k + j] = float.NegativeInfinity;
        var y = new float[n * k];
        var e = Assert.Throws<ArgumentException>(() => GumbelSoftmax.Sample(new RandomSource(1), logits, k, 1f, y));
        Assert.Equal("logits", e.ParamName);
        Assert.StartsWith($"Row {badRow} ", e.Message);
    }

    [Fact]
    public void Straight_through_forward_is_exactly_one_hot_and_keeps_the_soft_sample()
    {
        const int n = 2000, k = 10;
        var logits = RandomLogits(n * k, 4);
        var hot = new float[n * k]; var soft = new float[n * k]; var idx = new int[n];
        GumbelSoftmax.SampleHard(new RandomSource(5), logits, k, 2f, hot, idx, soft);
        var expectedSoft = new float[n * k];
        GumbelSoftmax.Sample(new RandomSource(5), logits, k, 2f, expectedSoft);
        Assert.Equal(expectedSoft, soft);
        for (int r = 0; r < n; r++)
        {
            for (int j = 0; j < k; j++) Assert.Equal(j == idx[r] ? 1f : 0f, hot[r * k + j]);
            Assert.Equal(soft.AsSpan(r * k, k).ToArray().Max(), soft[r * k + idx[r]]);
        }
    }

    [Fact]
    public void Hard_indices_follow_the_categorical_probabilities()
    {
        var p = new[] { 0.1, 0.6, 0.3 };
        const int n = 100_000;
        var logits = new float[n * 3];
        for (int r = 0; r < n; r++) for (int j = 0; j < 3; j++) logits[r * 3 + j] = (float)Math.Log(p[j]) + 4; // unnormalized
        var idx = new int[n];
        GumbelSoftmax.SampleHard(new RandomSource(6), logits, 3, 5f, new float[n * 3], idx, new float[n * 3]);
        var counts = new long[3];
        foreach (var i in idx) counts[i]++;
        var (chi2, df) = Statistics.PearsonChiSquare(counts, p);
        Assert.True(chi2 < Statistics.ChiSquare999(df), $"chi2 {chi2:F2}");
    }

    /// <summary>Loss L = sum w * y for fixed noise; compares Backward with central differences in the logits.</summary>
    [Theory]
    [InlineData(0.5f, 4)]
    [InlineData(1f, 10)]
    [InlineData(3f, 3)]
    public void Backward_matches_finite_differences(float tau, int k)
    {
        const int n = 6;
        var logits = RandomLogits(n * k, 7, 2f);
        var w = RandomLogits(n * k, 8, 1f);
        double Loss(float[] l)
        {
            var y = new float[l.Length];
            GumbelSoftmax.Sample(new RandomSource(12), l, k, tau, y);
            return y.Select((v, i) => (double)v * w[i]).Sum();
        }
        var ySoft = new float[n * k];
        GumbelSoftmax.Sample(new RandomSource(12), logits, k, tau, ySoft);
        var grad = new float[n * k];
        GumbelSoftmax.Backward(ySoft, w, k, tau, grad);
        GradientCheck.AssertMatches(Loss, logits, grad, h: 1e-2f, relativeTolerance: 2e-2);
    }

    [Fact]
    public void Per_row_temperatures_are_used_row_by_row_forward_and_backward()
    {
        const int n = 5, k = 4;
        var logits = RandomLogits(n * k, 9);
        var taus = new[] { 0.1f, 0.5f, 1f, 2f, 10f };
        var y = new float[n * k];
        GumbelSoftmax.Sample(new RandomSource(3), logits, k, taus, y);
        var w = RandomLogits(n * k, 10, 1f);
        var grad = new float[n * k];
        GumbelSoftmax.Backward(y, w, k, taus, grad);
        // Row r must equal the scalar-tau call on row r alone with the draws it had in the batched call.
        for (int r = 0; r < n; r++)
        {
            var rng = new RandomSource(3) { Position = (ulong)(r * k) };
            var row = new float[k];
            GumbelSoftmax.Sample(rng, logits.AsSpan(r * k, k), k, taus[r], row);
            Assert.Equal(row, y.AsSpan(r * k, k).ToArray());
            var g = new float[k];
            GumbelSoftmax.Backward(row, w.AsSpan(r * k, k), k, taus[r], g);
            Assert.Equal(g, grad.AsSpan(r * k, k).ToArray());
        }
        Assert.Equal("tau", Assert.Throws<ArgumentException>(() => GumbelSoftmax.Sample(new RandomSource(1), logits, k, taus.AsSpan(0, 4), y)).ParamName);
        Assert.Equal("tau", Assert.Throws<ArgumentOutOfRangeException>(() => GumbelSoftmax.Sample(new RandomSource(1), logits, k, new[] { 1f, 1f, 0f, 1f, 1f }, y)).ParamName);

        // The straight-through call with per-row temperatures keeps the same soft sample and adds its one-hot argmax.
        var soft = new float[n * k];
        var hot = new float[n * k];
        var idx = new int[n];
        GumbelSoftmax.SampleHard(new RandomSource(3), logits, k, taus, hot, idx, soft);
        Assert.Equal(y, soft);
        for (int r = 0; r < n; r++)
        {
            var row = soft.AsSpan(r * k, k).ToArray();
            Assert.Equal(Array.IndexOf(row, row.Max()), idx[r]);
            for (int j = 0; j < k; j++) Assert.Equal(j == idx[r] ? 1f : 0f, hot[r * k + j]);
        }
        Assert.Equal("tau", Assert.Throws<ArgumentException>(() => GumbelSoftmax.SampleHard(new RandomSource(1), logits, k, taus.AsSpan(0, 4), hot, idx, soft)).ParamName);
        Assert.Equal("softY", Assert.Throws<ArgumentException>(() => GumbelSoftmax.SampleHard(new RandomSource(1), logits, k, taus, hot, idx, new float[n * k - 1])).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => GumbelSoftmax.SampleHard(new RandomSource(1), logits, k, taus, hot, new int[n + 1], soft)).ParamName);
    }

    [Theory]
    [InlineData(0.3f)]
    [InlineData(1.5f)]
    public void Temperature_gradient_matches_finite_differences(float tau)
    {
        const int n = 8, k = 5;
        var logits = RandomLogits(n * k, 13, 2f);
        var w = RandomLogits(n * k, 14, 1f);
        double Loss(float t)
        {
            var y = new float[n * k];
            GumbelSoftmax.Sample(new RandomSource(15), logits, k, t, y);
            return y.Select((v, i) => (double)v * w[i]).Sum();
        }
        var ySoft = new float[n * k];
        GumbelSoftmax.Sample(new RandomSource(15), logits, k, tau, ySoft);
        double analytic = GumbelSoftmax.TemperatureGradient(ySoft, w, k, tau);
        float h = 1e-2f * tau;
        double numeric = (Loss(tau + h) - Loss(tau - h)) / (2 * h);
        Assert.True(Math.Abs(analytic - numeric) <= 2e-2 * Math.Max(1, Math.Abs(numeric)), $"analytic {analytic}, numeric {numeric}");
    }

    [Fact]
    public void Temperature_gradient_is_the_formula_on_given_rows_and_a_zero_entry_adds_nothing()
    {
        // dL/dtau = -(1/tau) sum_r sum_k y_k (dy_k - sum_j y_j dy_j) log y_k, worked out here for two rows at tau 0.5:
        // row 0: y = (0.5, 0.25, 0.25), dy = (1, 0, 2): dot = 1, terms 0.5*0*log 0.5 + 0.25*(-1)*log 0.25 + 0.25*1*log 0.25 = 0;
        // row 1: y = (0.8, 0.2, 0), dy = (1, -1, 5): dot = 0.6, terms 0.8*0.4*log 0.8 + 0.2*(-1.6)*log 0.2 (+ nothing for y = 0).
        var y = new[] { 0.5f, 0.25f, 0.25f, 0.8f, 0.2f, 0f };
        var dy = new[] { 1f, 0f, 2f, 1f, -1f, 5f };
        double row1 = 0.8 * 0.4 * Math.Log(0.8) + 0.2 * -1.6 * Math.Log(0.2);
        Assert.Equal(-row1 / 0.5, GumbelSoftmax.TemperatureGradient(y, dy, 3, 0.5f), 5);
        Assert.Equal(-row1 / 2, GumbelSoftmax.TemperatureGradient(y.AsSpan(3), dy.AsSpan(3), 3, 2f), 5);
        Assert.Equal("tau", Assert.Throws<ArgumentOutOfRangeException>(() => GumbelSoftmax.TemperatureGradient(y, dy, 3, 0f)).ParamName);
        Assert.Equal("softY", Assert.Throws<ArgumentException>(() => GumbelSoftmax.TemperatureGradient(y, dy, 4, 1f)).ParamName);
        Assert.Equal("dy", Assert.Throws<ArgumentException>(() => GumbelSoftmax.TemperatureGradient(y, dy.AsSpan(0, 3), 3, 1f)).ParamName);
    }

    [Theory]
    [InlineData(0.01f)]
    [InlineData(0.1f)]
    [InlineData(1f)]
    [InlineData(100f)]
    public void Extreme_logits_and_temperatures_give_no_NaN_or_infinity(float tau)
    {
        const int k = 4;
        var logits = new[] { 1e4f, -1e4f, 0f, 1e4f, -1e4f, -1e4f, -1e4f, -1e4f, 1e4f, 1e4f, 1e4f, 1e4f, 1e4f, -1e4f, float.NegativeInfinity, 3f };
        int n = logits.Length / k;
        var y = new float[logits.Length]; var hot = new float[logits.Length]; var idx = new int[n]; var g = new float[logits.Length];
        for (int rep = 0; rep < 50; rep++)
        {
            var rng = new RandomSource((ulong)rep);
            GumbelSoftmax.Sample(rng, logits, k, tau, y);
            Assert.All(y, v => Assert.True(float.IsFinite(v)));
            GumbelSoftmax.SampleHard(rng, logits, k, tau, hot, idx, y);
            GumbelSoftmax.Backward(y, Enumerable.Repeat(1e3f, y.Length).ToArray(), k, tau, g);
            Assert.All(y, v => Assert.True(float.IsFinite(v)));
            Assert.All(g, v => Assert.True(float.IsFinite(v)));
            Assert.True(float.IsFinite((float)GumbelSoftmax.TemperatureGradient(y, hot, k, tau)));
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_output_at_one_and_two_threads()
    {
        const int n = 20_000, k = 10; // 200k elements: large enough to be split across threads
        var logits = RandomLogits(n * k, 17);
        float[] Run(int threads)
        {
            using (DegreeOfParallelism.Override(threads))
            {
                var y = new float[n * k]; var hot = new float[n * k]; var idx = new int[n];
                var rng = new RandomSource(77);
                GumbelSoftmax.Sample(rng, logits, k, 0.5f, y);
                var soft = new float[n * k];
                GumbelSoftmax.SampleHard(rng, logits, k, 0.5f, hot, idx, soft);
                var idx2 = new int[n];
                GumbelMax.Sample(rng, logits, k, idx2);
                return y.Concat(hot).Concat(soft).Concat(idx.Select(i => (float)i)).Concat(idx2.Select(i => (float)i)).ToArray();
            }
        }
        var one = Run(1);
        Assert.Equal(one, Run(2));
        // More threads than this machine has cores: 200k elements make six parts of at least 32k (the chunk count
        // must still cover every row).
        Assert.Equal(one, Run(6));
    }

    [Fact]
    public void A_large_sample_split_across_threads_allocates_nothing_after_warm_up()
    {
        const int n = 20_000, k = 10;
        var logits = RandomLogits(n * k, 18);
        var y = new float[n * k]; var hot = new float[n * k]; var idx = new int[n];
        var rng = new RandomSource(19);
        using var scope = DegreeOfParallelism.Override(2);
        Allocations.AssertNoneAfterWarmUp(() =>
        {
            GumbelSoftmax.Sample(rng, logits, k, 0.5f, y);
            GumbelSoftmax.SampleHard(rng, logits, k, 0.5f, hot, idx, y);
        });
    }

    [Fact]
    public void Invalid_arguments_name_the_parameter()
    {
        var rng = new RandomSource(1);
        var y = new float[4];
        foreach (var bad in new[] { 0f, -1f, float.NaN, float.PositiveInfinity })
            Assert.Equal("tau", Assert.Throws<ArgumentOutOfRangeException>(() => GumbelSoftmax.Sample(rng, new float[4], 2, bad, y)).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => GumbelSoftmax.Sample(rng, new[] { 0f, float.NaN, 0f, 0f }, 2, 1f, y)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => GumbelSoftmax.Sample(rng, new float[4], 2, 1f, new float[3])).ParamName);
        Assert.Equal("softY", Assert.Throws<ArgumentException>(() => GumbelSoftmax.SampleHard(rng, new float[4], 2, 1f, new float[4], new int[2], new float[5])).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => GumbelSoftmax.SampleHard(rng, new float[4], 2, 1f, new float[4], new int[1], new float[4])).ParamName);
        Assert.Equal("dy", Assert.Throws<ArgumentException>(() => GumbelSoftmax.Backward(new float[4], new float[3], 2, 1f, new float[4])).ParamName);
        Assert.Equal("dLogits", Assert.Throws<ArgumentException>(() => GumbelSoftmax.Backward(new float[4], new float[4], 2, 1f, new float[2])).ParamName);
        Assert.Equal("tau", Assert.Throws<ArgumentOutOfRangeException>(() => GumbelSoftmax.Backward(new float[4], new float[4], 2, 0f, new float[4])).ParamName);
        var shared = new float[8];
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => GumbelSoftmax.Sample(rng, shared.AsSpan(0, 4), 2, 1f, shared.AsSpan(2, 4))).ParamName);
        Assert.Equal("oneHot", Assert.Throws<ArgumentException>(() => GumbelSoftmax.SampleHard(rng, new float[4], 2, 1f, shared.AsSpan(0, 4), new int[2], shared.AsSpan(3, 4))).ParamName);
        GumbelSoftmax.Sample(rng, shared.AsSpan(0, 4), 2, 1f, shared.AsSpan(4, 4)); // adjacent, not overlapping
        Assert.Contains("oneHot must not share memory with softY", Assert.Throws<ArgumentException>(() => GumbelSoftmax.SampleHard(rng, new float[4], 2, 1f, shared.AsSpan(0, 4), new int[2], shared.AsSpan(3, 4))).Message);
        Assert.Equal("softY", Assert.Throws<ArgumentException>(() => GumbelSoftmax.SampleHard(rng, shared.AsSpan(0, 4), 2, 1f, new float[4], new int[2], shared.AsSpan(2, 4))).ParamName);
        Assert.Equal("oneHot", Assert.Throws<ArgumentException>(() => GumbelSoftmax.SampleHard(rng, shared.AsSpan(0, 4), 2, 1f, shared.AsSpan(2, 4), new int[2], new float[4])).ParamName);
        Assert.Equal("oneHot", Assert.Throws<ArgumentException>(() => GumbelSoftmax.SampleHard(rng, new float[4], 2, 1f, new float[3], new int[2], new float[4])).ParamName);
    }
}
