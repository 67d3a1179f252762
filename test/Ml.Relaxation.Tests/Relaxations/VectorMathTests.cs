using System.Runtime.Intrinsics;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Tests.Relaxations;

public class VectorMathTests
{
    /// <summary>Distance in units in the last place between a float result and the exact (double) value.</summary>
    private static double Ulps(float actual, double exact)
    {
        float rounded = (float)exact;
        double ulp = Math.Abs((double)MathF.BitIncrement(Math.Abs(rounded)) - Math.Abs(rounded));
        return Math.Abs(actual - exact) / ulp;
    }

    private static IEnumerable<float> Sweep(float lo, float hi, int count)
    {
        for (int i = 0; i < count; i++) yield return lo + (hi - lo) * i / (count - 1);
    }

    [Fact]
    public void Log_is_within_two_ulp_over_the_uniforms_and_the_exponentials()
    {
        var inputs = Sweep(1e-7f, 1f, 50_001)
            .Concat(Enumerable.Range(0, 25).Select(e => MathF.Pow(2, -e)))                     // powers of two
            .Concat(Enumerable.Range(0, 4096).Select(i => 1f - i * 1.1920929e-7f / 2))         // just below 1
            .Concat(Sweep(1f, 20f, 20_001))                                                     // -log u reaches 16.6
            .Concat(new[] { 5.96e-8f, 1.17549435e-38f * 2, 1.4142135f, 1.4142137f, 0.70710677f, 3e38f })
            .Where(x => x != 1f).ToArray();
        double worst = 0;
        foreach (var chunk in inputs.Chunk(8))
        {
            var pad = new float[8]; Array.Fill(pad, 0.5f); chunk.CopyTo(pad, 0);
            var r = VectorMath.Log(Vector256.Create(pad));
            for (int i = 0; i < chunk.Length; i++) worst = Math.Max(worst, Ulps(r[i], Math.Log(chunk[i])));
        }
        Assert.True(worst <= 2, $"worst error {worst:F2} ulp");
        Assert.Equal(0f, VectorMath.Log(Vector256.Create(1f))[0]);
    }

    [Fact]
    public void Exp_is_within_two_ulp_on_the_non_positive_axis_and_zero_below_the_normal_range()
    {
        var inputs = Sweep(-87.3f, 0f, 200_001).ToArray();
        double worst = 0;
        foreach (var chunk in inputs.Chunk(8))
        {
            var pad = new float[8]; chunk.CopyTo(pad, 0);
            var r = VectorMath.ExpNonPositive(Vector256.Create(pad));
            for (int i = 0; i < chunk.Length; i++) worst = Math.Max(worst, Ulps(r[i], Math.Exp(chunk[i])));
        }
        Assert.True(worst <= 2, $"worst error {worst:F2} ulp");
        Assert.Equal(1f, VectorMath.ExpNonPositive(Vector256<float>.Zero)[0]);
        Assert.Equal(0f, VectorMath.ExpNonPositive(Vector256.Create(float.NegativeInfinity))[0]);
        Assert.Equal(0f, VectorMath.ExpNonPositive(Vector256.Create(-90f))[0]);
        Assert.Equal(0f, VectorMath.ExpNonPositive(Vector256.Create(-1e30f))[0]);
    }

    [Fact]
    public void Sigmoid_and_its_derivative_are_accurate_and_saturate_without_NaN()
    {
        var inputs = Sweep(-100f, 100f, 40_001).Concat(new[] { float.NegativeInfinity, float.PositiveInfinity, -1e30f, 1e30f }).ToArray();
        foreach (var chunk in inputs.Chunk(8))
        {
            var pad = new float[8]; chunk.CopyTo(pad, 0);
            // Results below the smallest normal float (1.2e-38) are flushed to 0 by design.
            var s = VectorMath.Sigmoid(Vector256.Create(pad), out var ds);
            for (int i = 0; i < chunk.Length; i++)
            {
                double t = chunk[i];
                double exact = t >= 0 ? 1 / (1 + Math.Exp(-t)) : Math.Exp(t) / (1 + Math.Exp(t));
                double e = Math.Exp(-Math.Abs(t)), dExact = e / ((1 + e) * (1 + e)); // not exact * (1 - exact): that cancels in double
                Assert.True(Math.Abs(s[i] - exact) <= 4e-7 * exact + 1.2e-38, $"sigmoid({t}) = {s[i]}, exact {exact}");
                Assert.True(Math.Abs(ds[i] - dExact) <= 1e-6 * dExact + 1.2e-38, $"sigmoid'({t}) = {ds[i]}, exact {dExact}");
            }
        }
    }
}
