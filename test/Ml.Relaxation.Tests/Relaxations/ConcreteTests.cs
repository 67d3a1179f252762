using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Tests.Relaxations;

public class ConcreteTests
{
    private static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));

    [Theory]
    [InlineData(0.5f, 0.7f, -0.3f)]
    [InlineData(1f, 2f, 0f)]
    [InlineData(2f, -1f, 1f)]
    public void Two_class_density_integrates_to_one_and_matches_Binary_Concrete(float tau, float l0, float l1)
    {
        // y = (t, 1 - t), t = sigmoid(s): integral of p(y) dt = integral of p(y(s)) t (1 - t) ds.
        double limit = 40 / tau, h = 0.01;
        int m = (int)(2 * limit / h);
        var logits = new float[2 * m]; var logY = new float[2 * m];
        var t = new float[m]; var binLogits = new float[m];
        for (int i = 0; i < m; i++)
        {
            double s = -limit + (i + 0.5) * h;
            logits[2 * i] = l0; logits[2 * i + 1] = l1;
            logY[2 * i] = (float)-Softplus(-s); logY[2 * i + 1] = (float)-Softplus(s);
            t[i] = (float)(1 / (1 + Math.Exp(-s)));
            binLogits[i] = l0 - l1;
        }
        var density = new float[m];
        Concrete.LogDensity(logits, logY, 2, tau, density);
        double integral = 0;
        for (int i = 0; i < m; i++) integral += Math.Exp(density[i] + logY[2 * i] + logY[2 * i + 1]) * h;
        Assert.Equal(1.0, integral, 3);

        // Binary Concrete with logit l0 - l1 has the same law as the first coordinate (checked where t is representable).
        var binary = new float[m];
        var inside = Enumerable.Range(0, m).Where(i => t[i] > 1e-6f && t[i] < 1 - 1e-6f).ToArray();
        var tIn = inside.Select(i => t[i]).ToArray();
        var dIn = new float[inside.Length];
        BinaryConcrete.LogDensity(inside.Select(i => binLogits[i]).ToArray(), tIn, tau, dIn);
        var cIn = new float[inside.Length];
        Concrete.LogDensity(inside.SelectMany(i => new[] { l0, l1 }).ToArray(),
            inside.SelectMany(i => new[] { (float)Math.Log(t[i]), (float)Math.Log(1.0 - t[i]) }).ToArray(), 2, tau, cIn);
        for (int j = 0; j < inside.Length; j++) Assert.Equal(dIn[j], cIn[j], 2e-3 * Math.Max(1, Math.Abs(dIn[j])));
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(0.5f)]
    public void Three_class_density_integrates_to_one(float tau)
    {
        // y = softmax(s1, s2, 0): the Jacobian of (s1, s2) -> (y1, y2) is y1 y2 y3.
        double limit = 36 / tau, h = 0.12 / tau;
        int m = (int)(2 * limit / h);
        var logits = new float[3 * m * m]; var logY = new float[3 * m * m];
        float[] row = { 0.5f, -0.4f, 0.2f };
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
            {
                double s1 = -limit + (i + 0.5) * h, s2 = -limit + (j + 0.5) * h;
                double mx = Math.Max(0, Math.Max(s1, s2));
                double lse = mx + Math.Log(Math.Exp(s1 - mx) + Math.Exp(s2 - mx) + Math.Exp(-mx));
                int r = (i * m + j) * 3;
                row.CopyTo(logits, r);
                logY[r] = (float)(s1 - lse); logY[r + 1] = (float)(s2 - lse); logY[r + 2] = (float)-lse;
            }
        var density = new float[m * m];
        Concrete.LogDensity(logits, logY, 3, tau, density);
        double integral = 0;
        for (int q = 0; q < m * m; q++) integral += Math.Exp(density[q] + logY[3 * q] + logY[3 * q + 1] + logY[3 * q + 2]) * h * h;
        Assert.Equal(1.0, integral, 3);

        var exp = new float[m * m];
        Concrete.ExpConcreteLogDensity(logits, logY, 3, tau, exp);
        for (int q = 0; q < m * m; q += 97)
            Assert.Equal(density[q] + logY[3 * q] + logY[3 * q + 1] + logY[3 * q + 2], exp[q], 1e-3 * Math.Max(1, Math.Abs(exp[q])));
    }

    [Fact]
    public void Log_space_sample_is_the_log_of_the_Gumbel_Softmax_sample()
    {
        const int n = 200, k = 5;
        var logits = new float[n * k];
        new RandomSource(3).NextUniforms(logits);
        var x = new float[n * k]; var y = new float[n * k];
        Concrete.SampleLog(new RandomSource(4), logits, k, 0.1f, x);
        GumbelSoftmax.Sample(new RandomSource(4), logits, k, 0.1f, y);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(float.IsFinite(x[i]) && x[i] <= 0);
            Assert.Equal(y[i], MathF.Exp(x[i]), 1e-5f);
        }
    }

    [Fact]
    public void Log_samples_normalize_to_float_accuracy_when_logits_over_tau_are_large()
    {
        // Logits of +-50 at tau 0.05 put (l + g) / tau near 1000, where floats are 6e-5 apart: the log-sum must be
        // subtracted after the shift, or rows stop summing to 1 by far more than float rounding of values near 0.
        const int n = 2000, k = 2;
        var logits = new float[n * k];
        new RandomSource(7).NextUniforms(logits);
        for (int i = 0; i < logits.Length; i++) logits[i] = 100f * logits[i] - 50f;
        var x = new float[n * k];
        Concrete.SampleLog(new RandomSource(8), logits, k, 0.05f, x);
        for (int r = 0; r < n; r++)
        {
            double a = x[2 * r], b = x[2 * r + 1], max = Math.Max(a, b);
            double logSumExp = max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max));
            Assert.True(Math.Abs(logSumExp) <= 1e-6, $"row {r}: log sum y = {logSumExp:R}");
        }
    }

    [Fact]
    public void Log_density_is_finite_at_low_temperature_where_linear_samples_round_to_zero()
    {
        const int n = 1000, k = 4;
        var logits = new float[n * k];
        new RandomSource(5).NextUniforms(logits);
        var x = new float[n * k];
        Concrete.SampleLog(new RandomSource(6), logits, k, 0.02f, x);
        Assert.Contains(x, v => MathF.Exp(v) == 0f); // a linear-space y would be exactly 0 here
        var d = new float[n];
        Concrete.LogDensity(logits, x, k, 0.02f, d);
        Assert.All(d, v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [InlineData(0.01f)]
    [InlineData(1f)]
    [InlineData(100f)]
    public void Log_space_samples_and_densities_stay_finite_for_extreme_logits(float tau)
    {
        var logits = new[] { 1e4f, -1e4f, 0f, -1e4f, -1e4f, 1e4f, 1e4f, 1e4f, 3f };
        var x = new float[logits.Length];
        var d = new float[3]; var e = new float[3];
        for (ulong seed = 0; seed < 20; seed++)
        {
            Concrete.SampleLog(new RandomSource(seed), logits, 3, tau, x);
            Concrete.LogDensity(logits, x, 3, tau, d);
            Concrete.ExpConcreteLogDensity(logits, x, 3, tau, e);
            Assert.All(x.Concat(d).Concat(e), v => Assert.True(float.IsFinite(v), $"{v} at tau {tau}"));
        }
    }

    [Fact]
    public void Invalid_arguments_name_the_parameter()
    {
        var d = new float[1];
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Concrete.LogDensity(new[] { float.NegativeInfinity, 0f }, new[] { -1f, -0.5f }, 2, 1f, d)).ParamName);
        Assert.Equal("logY", Assert.Throws<ArgumentException>(() => Concrete.LogDensity(new[] { 0f, 0f }, new[] { float.NaN, -0.5f }, 2, 1f, d)).ParamName);
        Assert.Equal("logDensity", Assert.Throws<ArgumentException>(() => Concrete.LogDensity(new[] { 0f, 0f }, new[] { -1f, -0.5f }, 2, 1f, new float[2])).ParamName);
        Assert.Equal("tau", Assert.Throws<ArgumentOutOfRangeException>(() => Concrete.LogDensity(new[] { 0f, 0f }, new[] { -1f, -0.5f }, 2, -1f, d)).ParamName);
        Assert.Equal("logY", Assert.Throws<ArgumentException>(() => Concrete.LogDensity(new[] { 0f, 0f }, new[] { -1f, -0.5f, -1f }, 2, 1f, d)).ParamName);
        Assert.Equal("logY", Assert.Throws<ArgumentException>(() => Concrete.ExpConcreteLogDensity(new[] { 0f, 0f }, new[] { float.NegativeInfinity, 0f }, 2, 1f, d)).ParamName);
        Assert.Equal("logY", Assert.Throws<ArgumentException>(() => Concrete.SampleLog(new RandomSource(1), new[] { 0f, 0f }, 2, 1f, new float[3])).ParamName);
        var shared = new float[4];
        Assert.Equal("logY", Assert.Throws<ArgumentException>(() => Concrete.SampleLog(new RandomSource(1), shared.AsSpan(0, 2), 2, 1f, shared.AsSpan(1, 2))).ParamName);
    }
}
