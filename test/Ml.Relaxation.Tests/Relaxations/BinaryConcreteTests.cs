using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Tests.Relaxations;

public class BinaryConcreteTests
{
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Theory]
    [InlineData(0.2, 0.5f)]
    [InlineData(0.7, 2f)]
    [InlineData(0.01, 0.1f)]
    public void Probability_above_one_half_is_p(double p, float tau)
    {
        const int n = 200_000;
        var logits = Enumerable.Repeat((float)Math.Log(p / (1 - p)), n).ToArray();
        var y = new float[n];
        BinaryConcrete.Sample(new RandomSource(1), logits, tau, y);
        double frac = y.Count(v => v > 0.5f) / (double)n;
        Assert.InRange(frac, p - Statistics.ProportionTolerance(p, n), p + Statistics.ProportionTolerance(p, n));
        var hard = new float[n];
        BinaryConcrete.SampleStraightThrough(new RandomSource(2), logits, tau, hard, y);
        Assert.All(hard, v => Assert.True(v == 0f || v == 1f));
        double fracHard = hard.Average(v => (double)v);
        Assert.InRange(fracHard, p - Statistics.ProportionTolerance(p, n), p + Statistics.ProportionTolerance(p, n));
    }

    [Theory]
    [InlineData(0.8f, 0.5f)]
    [InlineData(-1.5f, 2f)]
    public void Binary_Concrete_and_two_class_Gumbel_Softmax_agree_in_law_with_the_exact_CDF(float a, float tau)
    {
        // Exact CDF: P(y <= t) = sigmoid(tau * logit(t) - a). One-sample KS for both samplers at level 0.001.
        const int n = 50_000;
        var bin = new float[n];
        BinaryConcrete.Sample(new RandomSource(3), Enumerable.Repeat(a, n).ToArray(), tau, bin);
        var two = new float[2 * n];
        var logits = new float[2 * n];
        for (int r = 0; r < n; r++) { logits[2 * r] = a + 1; logits[2 * r + 1] = 1; } // same difference a
        GumbelSoftmax.Sample(new RandomSource(4), logits, 2, tau, two);
        var first = Enumerable.Range(0, n).Select(r => two[2 * r]).ToArray();
        double critical = 1.949 / Math.Sqrt(n);
        foreach (var sample in new[] { bin, first })
        {
            var sorted = sample.Select(v => (double)v).OrderBy(v => v).ToArray();
            double d = 0;
            for (int i = 0; i < n; i++)
            {
                double t = Math.Clamp(sorted[i], 1e-300, 1 - 1e-16);
                double cdf = Sigmoid(tau * (Math.Log(t) - Math.Log(1 - t)) - a);
                d = Math.Max(d, Math.Max(Math.Abs(cdf - (double)i / n), Math.Abs(cdf - (double)(i + 1) / n)));
            }
            Assert.True(d < critical, $"KS {d} >= {critical}");
        }
        Assert.True(Statistics.KolmogorovSmirnov(bin, first) < Statistics.KolmogorovSmirnovCritical(n, n));
    }

    [Theory]
    [InlineData(0.5f)]
    [InlineData(2f)]
    public void Backward_matches_finite_differences(float tau)
    {
        var logits = new[] { -2f, -0.5f, 0f, 0.3f, 1.7f, 3f };
        var w = new[] { 0.3f, -1f, 0.5f, 2f, -0.7f, 1f };
        double Loss(float[] l)
        {
            var y = new float[l.Length];
            BinaryConcrete.Sample(new RandomSource(9), l, tau, y);
            return y.Select((v, i) => (double)v * w[i]).Sum();
        }
        var ySoft = new float[logits.Length];
        BinaryConcrete.Sample(new RandomSource(9), logits, tau, ySoft);
        var grad = new float[logits.Length];
        BinaryConcrete.Backward(ySoft, w, tau, grad);
        GradientCheck.AssertMatches(Loss, logits, grad, h: 1e-2f, relativeTolerance: 2e-2);
    }

    [Theory]
    [InlineData(0.5f, 1f)]
    [InlineData(2f, -3f)]
    public void Logit_density_integrates_to_one(float tau, float a)
    {
        double limit = 80 / tau, h = 0.01 / tau;
        int m = (int)(2 * limit / h);
        var x = Enumerable.Range(0, m).Select(i => (float)(-limit + (i + 0.5) * h)).ToArray();
        var d = new float[m];
        BinaryConcrete.LogitLogDensity(Enumerable.Repeat(a, m).ToArray(), x, tau, d);
        Assert.Equal(1.0, d.Sum(v => Math.Exp(v)) * h, 3);
    }

    [Fact]
    public void Densities_at_given_points_equal_the_closed_form()
    {
        // Maddison et al. (2017): with alpha = exp(a), the pre-sigmoid x has density tau alpha e^(-tau x) / (1 + alpha e^(-tau x))^2,
        // and y = sigmoid(x) has density tau alpha y^(-tau-1) (1-y)^(-tau-1) / (alpha y^(-tau) + (1-y)^(-tau))^2.
        float[] a = { 1f, -0.5f, 2f }, x = { 3f, -1f, 0.25f }, y = { 0.3f, 0.9f, 0.5f };
        foreach (float tau in new[] { 0.5f, 1.5f })
        {
            var dx = new float[3];
            var dy = new float[3];
            BinaryConcrete.LogitLogDensity(a, x, tau, dx);
            BinaryConcrete.LogDensity(a, y, tau, dy);
            for (int i = 0; i < 3; i++)
            {
                double alpha = Math.Exp(a[i]), e = alpha * Math.Exp(-tau * x[i]);
                Assert.Equal(Math.Log(tau * e / ((1 + e) * (1 + e))), dx[i], 5);
                double py = tau * alpha * Math.Pow(y[i], -tau - 1) * Math.Pow(1 - y[i], -tau - 1)
                    / Math.Pow(alpha * Math.Pow(y[i], -tau) + Math.Pow(1 - y[i], -tau), 2);
                Assert.Equal(Math.Log(py), dy[i], 5);
            }
        }
    }

    [Fact]
    public void Extreme_logits_and_temperatures_give_no_NaN()
    {
        var logits = new[] { 1e4f, -1e4f, 0f, float.PositiveInfinity, float.NegativeInfinity };
        foreach (var tau in new[] { 0.01f, 1f, 100f })
        {
            var y = new float[logits.Length]; var hard = new float[logits.Length]; var g = new float[logits.Length];
            BinaryConcrete.SampleStraightThrough(new RandomSource(1), logits, tau, hard, y);
            BinaryConcrete.Backward(y, Enumerable.Repeat(1f, y.Length).ToArray(), tau, g);
            Assert.All(y.Concat(g), v => Assert.True(float.IsFinite(v)));
            var x = new float[logits.Length - 2]; var dens = new float[x.Length];
            BinaryConcrete.SampleLogit(new RandomSource(2), logits.AsSpan(0, 3), tau, x);
            BinaryConcrete.LogitLogDensity(logits.AsSpan(0, 3), x, tau, dens);
            Assert.All(x.Concat(dens), v => Assert.True(float.IsFinite(v)));
        }
    }

    [Fact]
    public void Invalid_arguments_name_the_parameter()
    {
        var rng = new RandomSource(1);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => BinaryConcrete.Sample(rng, new[] { float.NaN }, 1f, new float[1])).ParamName);
        Assert.Equal("tau", Assert.Throws<ArgumentOutOfRangeException>(() => BinaryConcrete.Sample(rng, new[] { 0f }, 0f, new float[1])).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => BinaryConcrete.Sample(rng, new[] { 0f }, 1f, new float[2])).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentOutOfRangeException>(() => BinaryConcrete.LogDensity(new[] { 0f }, new[] { 1f }, 1f, new float[1])).ParamName);
        Assert.Equal("probabilities", Assert.Throws<ArgumentOutOfRangeException>(() => Probabilities.ToBernoulliLogits(new[] { 1.5f }, new float[1])).ParamName);
        Assert.Equal("probabilities", Assert.Throws<ArgumentOutOfRangeException>(() => Probabilities.ToLogits(new[] { -0.1f }, new float[1])).ParamName);
        Assert.Equal("probabilities", Assert.Throws<ArgumentOutOfRangeException>(() => Probabilities.ToLogits(new[] { float.NaN }, new float[1])).ParamName);
    }
}
