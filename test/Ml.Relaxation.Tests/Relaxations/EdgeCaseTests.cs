using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Tests.Relaxations;

/// <summary>The numerical edges: huge common logits, subnormal temperatures, all-masked rows, the temperature parameterizations.</summary>
public class EdgeCaseTests
{
    [Theory]
    [InlineData(1e7f)]
    [InlineData(-1e7f)]
    [InlineData(3e4f)]
    public void Gumbel_max_and_the_hard_sample_are_unbiased_under_a_large_common_logit_offset(float offset)
    {
        // Logits [o, o-1, o-2]: the law is softmax([0, -1, -2]), top probability 0.665. Adding the noise to the logits
        // directly rounds it to the float spacing of o (1 at 1e7) and gives 0.763 at o = 1e7, as PyTorch's float32
        // sampler does; the row maximum is subtracted first, so the offset cannot matter. n = 200,000 rows: the top
        // count's tolerance is 4 standard deviations, 0.0042, far below the 0.098 bias.
        const int n = 200_000, k = 3;
        var logits = new float[n * k];
        for (int r = 0; r < n; r++) { logits[r * k] = offset; logits[r * k + 1] = offset - 1; logits[r * k + 2] = offset - 2; }
        Assert.Equal(2f, logits[0] - logits[2]); // the offsets are exact in float
        double p = 1 / (1 + Math.Exp(-1) + Math.Exp(-2));
        var idx = new int[n];
        GumbelMax.Sample(new RandomSource(5), logits, k, idx);
        double top = idx.Count(i => i == 0) / (double)n;
        Assert.True(Math.Abs(top - p) <= Statistics.ProportionTolerance(p, n), $"top category drawn {top:F4}, expected {p:F4}");
        // The straight-through sample with the same draws picks the same categories.
        var hard = new int[n];
        GumbelSoftmax.SampleHard(new RandomSource(5), logits, k, 0.5f, new float[n * k], hard, new float[n * k]);
        Assert.Equal(idx, hard);
    }

    [Fact]
    public void Soft_and_log_space_samples_do_not_depend_on_a_common_logit_offset()
    {
        const int n = 50, k = 12;
        var logits = new float[n * k];
        new RandomSource(6).NextUniforms(logits);
        var offset = logits.Select(l => l * 4 + 1e6f).ToArray();
        var centered = offset.Select(l => l - 1e6f).ToArray(); // exact: the offset values are multiples of 1/16
        foreach (var (a, b) in new[] { (offset, centered) })
        {
            var ya = new float[n * k];
            var yb = new float[n * k];
            GumbelSoftmax.Sample(new RandomSource(7), a, k, 0.7f, ya);
            GumbelSoftmax.Sample(new RandomSource(7), b, k, 0.7f, yb);
            for (int i = 0; i < ya.Length; i++) Assert.True(Math.Abs(ya[i] - yb[i]) <= 1e-6, $"soft element {i}: {ya[i]} vs {yb[i]}");
            Concrete.SampleLog(new RandomSource(7), a, k, 0.7f, ya);
            Concrete.SampleLog(new RandomSource(7), b, k, 0.7f, yb);
            for (int i = 0; i < ya.Length; i++) Assert.True(Math.Abs(ya[i] - yb[i]) <= 1e-5 * (1 + Math.Abs(yb[i])), $"log element {i}: {ya[i]} vs {yb[i]}");
        }
    }

    [Fact]
    public void An_all_masked_row_is_rejected_before_any_random_draw()
    {
        const int k = 9;
        var logits = new float[4 * k];
        logits.AsSpan(2 * k, k).Fill(float.NegativeInfinity); // row 2
        void Rejected(Action<RandomSource> sample)
        {
            var rng = new RandomSource(8) { Position = 40 };
            var e = Assert.Throws<ArgumentException>(() => sample(rng));
            Assert.Equal("logits", e.ParamName);
            Assert.Contains("Row 2", e.Message);
            Assert.Equal(40UL, rng.Position);
        }
        Rejected(rng => GumbelMax.Sample(rng, logits, k, new int[4]));
        Rejected(rng => GumbelMax.SampleOneHot(rng, logits, k, new float[4 * k], new int[4]));
        Rejected(rng => GumbelSoftmax.Sample(rng, logits, k, 0.5f, new float[4 * k]));
        Rejected(rng => GumbelSoftmax.SampleHard(rng, logits, k, 0.5f, new float[4 * k], new int[4], new float[4 * k]));
        Rejected(rng => Concrete.SampleLog(rng, logits, k, 0.5f, new float[4 * k]));
        // A masked category in an otherwise finite row is fine.
        logits[2 * k + 3] = 0f;
        GumbelMax.Sample(new RandomSource(8), logits, k, new int[4]);
    }

    public static TheoryData<float> BadTemperatures => new() { 1e-39f, float.Epsilon, 2.9e-39f, 0f, -1f, float.NaN, float.PositiveInfinity };

    [Theory, MemberData(nameof(BadTemperatures))]
    public void Subnormal_zero_negative_and_non_finite_temperatures_are_rejected_everywhere(float tau)
    {
        var logits = new float[16];
        var y = new float[16];
        var rng = new RandomSource(9);
        void Rejects(Action call) => Assert.Equal("tau", Assert.Throws<ArgumentOutOfRangeException>(call).ParamName);
        Rejects(() => GumbelSoftmax.Sample(rng, logits, 8, tau, y));
        Rejects(() => GumbelSoftmax.Sample(rng, logits, 8, [tau, 1f], y));
        Rejects(() => GumbelSoftmax.SampleHard(rng, logits, 8, tau, new float[16], new int[2], y));
        Rejects(() => GumbelSoftmax.Backward(y, y, 8, tau, new float[16]));
        Rejects(() => GumbelSoftmax.Backward(y, y, 8, [1f, tau], new float[16]));
        Rejects(() => GumbelSoftmax.TemperatureGradient(y, y, 8, tau));
        Rejects(() => Concrete.SampleLog(rng, logits, 8, tau, y));
        Rejects(() => Concrete.LogDensity(logits, y, 8, tau, new float[2]));
        Rejects(() => BinaryConcrete.Sample(rng, logits, tau, y));
        Rejects(() => BinaryConcrete.SampleLogit(rng, logits, tau, y));
        Rejects(() => BinaryConcrete.Backward(y, y, tau, new float[16]));
        Rejects(() => BinaryConcrete.LogitLogDensity(logits, y, tau, new float[16]));
        Rejects(() => new ConstantTemperature(tau));
        Assert.Equal(0UL, rng.Position);
        if (tau > 0 && tau < 1e-38f)
            Assert.Throws<ArgumentOutOfRangeException>(() => new HardConcreteParameters(beta: tau));
    }

    [Fact]
    public void The_smallest_normal_temperatures_give_finite_hard_samples_and_gradients()
    {
        // 1e-38 is normal and 1/tau = 1e38 is finite: every row becomes one-hot, and nothing is NaN.
        const float tau = 1e-38f;
        var logits = new float[5 * 17];
        new RandomSource(10).NextUniforms(logits);
        var y = new float[logits.Length];
        GumbelSoftmax.Sample(new RandomSource(11), logits, 17, tau, y);
        Assert.All(y, v => Assert.True(v == 0f || v == 1f, $"{v}"));
        var d = new float[logits.Length];
        GumbelSoftmax.Backward(y, logits, 17, tau, d);
        Assert.All(d, v => Assert.True(float.IsFinite(v)));
        var b = new float[logits.Length];
        BinaryConcrete.Sample(new RandomSource(12), logits, tau, b);
        Assert.All(b, v => Assert.True(v == 0f || v == 1f, $"{v}"));
        BinaryConcrete.Backward(b, logits, tau, d);
        Assert.All(d, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void A_learned_temperature_never_reports_zero_and_rejects_floors_that_round_to_zero()
    {
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => LearnedTemperature.Softplus(1f, epsilon: 1e-50)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => LearnedTemperature.Softplus(1f, epsilon: 1e-39)).ParamName);
        Assert.Equal("lower", Assert.Throws<ArgumentOutOfRangeException>(() => LearnedTemperature.Bounded(1f, lower: 1e-50, upper: 2)).ParamName);
        var t = LearnedTemperature.Softplus(1f, epsilon: 1e-30);
        t.Raw = -1e4f; // softplus(raw) underflows to 0 in double: tau is the floor itself
        Assert.Equal((float)1e-30, t.Temperature);
        Assert.True(t.Temperature > 0);
    }

    [Fact]
    public void A_bounded_temperature_reaches_a_bound_only_where_its_sigmoid_rounds_and_its_gradient_is_zero()
    {
        var t = LearnedTemperature.Bounded(1f, lower: 0.25, upper: 4);
        t.Raw = 30f; // sigmoid(30) = 1 - 9e-14 in double: still inside
        Assert.True(t.Temperature <= 4f);
        Assert.True(t.TemperatureDerivative > 0);
        t.Raw = 40f; // sigmoid(40) rounds to 1: the upper bound exactly, as the documentation says
        Assert.Equal(4f, t.Temperature);
        Assert.Equal(0.0, t.TemperatureDerivative, 15);
        t.Raw = -800f;
        Assert.Equal(0.25f, t.Temperature);
    }

    [Fact]
    public void The_double_uniform_never_reaches_zero_or_one()
    {
        const ulong all = (1UL << 53) - 1;
        Assert.True(RandomSource.ToOpenUnitDouble(all) < 1.0);
        Assert.Equal(1.0 - Math.Pow(2, -53), RandomSource.ToOpenUnitDouble(all));
        Assert.Equal(Math.Pow(2, -54), RandomSource.ToOpenUnitDouble(0));
        Assert.Equal(0.5 - Math.Pow(2, -54), RandomSource.ToOpenUnitDouble((1UL << 52) - 1)); // below 2^52 the half is kept exactly
        Assert.Equal(RandomSource.ToOpenUnitDouble(all), RandomSource.ToOpenUnitDouble(ulong.MaxValue)); // only the low 53 bits count
    }

    [Theory]
    [InlineData(2049)]
    [InlineData(5000)]
    public void Rows_longer_than_the_noise_buffer_are_shifted_too(int k)
    {
        // Logits 1e7 + (j mod 5), exact integers in float: the sample must be the argmax of (j mod 5) + the same noise.
        const int rows = 6;
        var logits = new float[rows * k];
        for (int i = 0; i < logits.Length; i++) logits[i] = 1e7f + (i % k) % 5;
        var idx = new int[rows];
        GumbelMax.Sample(new RandomSource(14), logits, k, idx);
        var u = new float[rows * k];
        new RandomSource(14).NextUniforms(u);
        for (int r = 0; r < rows; r++)
        {
            var z = Enumerable.Range(0, k).Select(j => j % 5 - Math.Log(-Math.Log(u[r * k + j]))).ToArray();
            int arg = Array.IndexOf(z, z.Max());
            double second = z.Where((_, j) => j != arg).Max();
            if (z[arg] - second > 1e-4) Assert.Equal(arg, idx[r]);
        }
    }

    [Theory]
    [InlineData(12)]
    [InlineData(100)]
    public void Logits_just_below_the_shift_bound_at_a_low_temperature_give_finite_rows_on_the_simplex(int k)
    {
        // Logits up to 60 are not shifted, and at tau = 0.05 (z - max) / tau reaches -1e3: the softmax must still subtract
        // the row maximum of z itself before exponentiating.
        const int rows = 20;
        var logits = new float[rows * k];
        new RandomSource(15).NextUniforms(logits);
        for (int i = 0; i < logits.Length; i++) logits[i] = 55f + 5 * logits[i];
        var y = new float[rows * k];
        GumbelSoftmax.Sample(new RandomSource(16), logits, k, 0.05f, y);
        for (int r = 0; r < rows; r++)
        {
            var row = y.AsSpan(r * k, k).ToArray();
            Assert.All(row, v => Assert.True(v >= 0f && v <= 1f, $"{v}"));
            Assert.Equal(1.0, row.Sum(v => (double)v), 5);
        }
    }

    [Fact]
    public void One_hot_outputs_are_written_whole_over_whatever_the_buffer_held()
    {
        foreach (int k in new[] { 3, 10, 100 })
        {
            const int rows = 11;
            var logits = new float[rows * k];
            var idx = new int[rows];
            var hot = Enumerable.Repeat(7f, rows * k).ToArray();
            GumbelMax.SampleOneHot(new RandomSource(17), logits, k, hot, idx);
            for (int r = 0; r < rows; r++) for (int j = 0; j < k; j++) Assert.Equal(j == idx[r] ? 1f : 0f, hot[r * k + j]);
            hot.AsSpan().Fill(7f);
            GumbelSoftmax.SampleHard(new RandomSource(17), logits, k, 0.5f, hot, idx, new float[rows * k]);
            for (int r = 0; r < rows; r++) for (int j = 0; j < k; j++) Assert.Equal(j == idx[r] ? 1f : 0f, hot[r * k + j]);
        }
    }

    [Fact]
    public void Bad_arguments_are_rejected_by_name_before_any_draw()
    {
        var rng = new RandomSource(18);
        var four = new float[4];
        var logits = new float[4];
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => GumbelMax.Sample(null!, logits, 2, new int[2])).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => GumbelMax.Sample(rng, logits, 2, new int[3])).ParamName);
        Assert.Equal("oneHot", Assert.Throws<ArgumentException>(() => GumbelMax.SampleOneHot(rng, logits, 2, new float[3], new int[2])).ParamName);
        Assert.Equal("oneHot", Assert.Throws<ArgumentException>(() => GumbelMax.SampleOneHot(rng, logits, 2, logits, new int[2])).ParamName);
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => BinaryConcrete.Sample(null!, logits, 1f, four)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => BinaryConcrete.SampleLogit(rng, logits, 1f, logits)).ParamName);
        Assert.Equal("hard", Assert.Throws<ArgumentException>(() => BinaryConcrete.SampleStraightThrough(rng, logits, 1f, new float[3], four)).ParamName);
        Assert.Equal("hard", Assert.Throws<ArgumentException>(() => BinaryConcrete.SampleStraightThrough(rng, logits, 1f, four, four)).ParamName);
        Assert.Equal("dy", Assert.Throws<ArgumentException>(() => BinaryConcrete.Backward(four, new float[3], 1f, four)).ParamName);
        Assert.Equal("dLogits", Assert.Throws<ArgumentException>(() => BinaryConcrete.Backward(four, four, 1f, new float[3])).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => BinaryConcrete.LogitLogDensity(logits, new float[3], 1f, four)).ParamName);
        Assert.Equal("logDensity", Assert.Throws<ArgumentException>(() => BinaryConcrete.LogitLogDensity(logits, four, 1f, new float[3])).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => BinaryConcrete.LogitLogDensity([float.NegativeInfinity, 0, 0, 0], four, 1f, four)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => BinaryConcrete.LogitLogDensity(logits, [0, float.NegativeInfinity, 0, 0], 1f, four)).ParamName);
        Assert.Equal("tau", Assert.Throws<ArgumentOutOfRangeException>(() => BinaryConcrete.LogDensity(logits, [0.5f, 0.5f, 0.5f, 0.5f], 0f, four)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => BinaryConcrete.LogDensity(logits, new float[3], 1f, four)).ParamName);
        Assert.Equal("logDensity", Assert.Throws<ArgumentException>(() => BinaryConcrete.LogDensity(logits, [0.5f, 0.5f, 0.5f, 0.5f], 1f, new float[3])).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => BinaryConcrete.LogDensity([0, float.NegativeInfinity, 0, 0], [0.5f, 0.5f, 0.5f, 0.5f], 1f, four)).ParamName);
        foreach (float bad in new[] { 0f, 1f, -0.5f, 1.5f })
            Assert.Contains("Element 3", Assert.Throws<ArgumentOutOfRangeException>(() => BinaryConcrete.LogDensity(logits, [0.5f, 0.5f, 0.5f, bad], 1f, four)).Message);
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => HardConcrete.Sample(null!, logits, 1, four, default)).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => HardConcrete.Sample(rng, logits, -1, four, default)).ParamName);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => HardConcrete.Sample(rng, logits, 1, logits, default)).ParamName);
        Assert.Equal("dzdLogAlpha", Assert.Throws<ArgumentException>(() => HardConcrete.Sample(rng, logits, 1, four, logits)).ParamName);
        Assert.Equal("dzdLogAlpha", Assert.Throws<ArgumentException>(() => HardConcrete.Sample(rng, logits, 1, four, four)).ParamName);
        Assert.Equal("logAlpha", Assert.Throws<ArgumentException>(() => HardConcrete.Sample(rng, [0, float.NaN, 0, 0], 1, four, default)).ParamName);
        Assert.Equal("gate", Assert.Throws<ArgumentException>(() => HardConcrete.TestTimeGate(logits, new float[3])).ParamName);
        Assert.Equal("logAlpha", Assert.Throws<ArgumentException>(() => HardConcrete.TestTimeGate([float.NaN, 0, 0, 0], four)).ParamName);
        Assert.Equal(0UL, rng.Position);
    }

    [Fact]
    public void Expected_l0_uses_the_given_gate_constants()
    {
        float[] logAlpha = [0.5f, -1f, 2f];
        var p = new HardConcreteParameters(-0.3, 1.4, 0.5);
        double expected = logAlpha.Sum(a => 1 / (1 + Math.Exp(-(a - 0.5 * Math.Log(0.3 / 1.4)))));
        Assert.Equal(expected, HardConcrete.ExpectedL0(logAlpha, p), 6);
        Assert.NotEqual(HardConcrete.ExpectedL0(logAlpha), HardConcrete.ExpectedL0(logAlpha, p));
    }
}
