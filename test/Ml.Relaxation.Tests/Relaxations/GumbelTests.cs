using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Tests.Relaxations;

public class GumbelTests
{
    [Fact]
    public void Gumbel_mean_is_Eulers_constant_and_variance_is_pi_squared_over_six()
    {
        const int n = 400_000;
        var g = new float[n];
        Gumbel.Sample(new RandomSource(11), g);
        double mean = g.Average(x => (double)x);
        double variance = g.Sum(x => (x - mean) * (x - mean)) / (n - 1);
        const double euler = 0.5772156649015329, pi2over6 = Math.PI * Math.PI / 6;
        // Var(G) = pi^2/6; the sample variance has variance (mu4 - sigma^4)/n with excess kurtosis 12/5 for a Gumbel.
        double seMean = Math.Sqrt(pi2over6 / n), seVar = Math.Sqrt((2 + 2.4) * pi2over6 * pi2over6 / n);
        Assert.InRange(mean, euler - 5 * seMean, euler + 5 * seMean);
        Assert.InRange(variance, pi2over6 - 5 * seVar, pi2over6 + 5 * seVar);
        Assert.All(g, x => Assert.True(float.IsFinite(x)));
    }

    [Fact]
    public void Gumbel_is_finite_at_the_extreme_uniforms()
    {
        // The smallest and largest uniforms the source can produce.
        float lo = RandomSource.ToOpenUnit(0), hi = RandomSource.ToOpenUnit(uint.MaxValue);
        var g = new[] { lo, hi };
        ElementMath.UniformToGumbel(g);
        Assert.True(float.IsFinite(g[0]) && float.IsFinite(g[1]), $"{g[0]} {g[1]}");
    }
}
