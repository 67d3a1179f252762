using Ml.Relaxation.Engine;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Tests.Engine;

/// <summary>Central finite differences against analytic gradients.</summary>
internal static class GradientCheck
{
    /// <summary>
    /// For each element of <paramref name="values"/> (or a seeded sample of at most <paramref name="maxChecks"/>),
    /// compares (f(x+h) - f(x-h)) / 2h with <paramref name="analytic"/>. Tolerance: abs 2e-3 + rel 2e-2, which float
    /// rounding of a loss of order 1 divided by 2h = 2e-3 stays well inside, while a wrong factor or sign does not.
    /// </summary>
    public static void Check(float[] values, float[] analytic, Func<double> loss, string what, float h = 1e-3f, int maxChecks = 60)
    {
        Assert.Equal(values.Length, analytic.Length);
        var rng = new RandomSource(99);
        int checks = Math.Min(maxChecks, values.Length);
        for (int t = 0; t < checks; t++)
        {
            int i = values.Length <= maxChecks ? t : rng.NextInt(values.Length);
            float saved = values[i];
            values[i] = saved + h;
            double up = loss();
            values[i] = saved - h;
            double down = loss();
            values[i] = saved;
            double numeric = (up - down) / (2 * h);
            double tolerance = 2e-3 + 2e-2 * Math.Abs(numeric);
            Assert.True(Math.Abs(numeric - analytic[i]) <= tolerance,
                $"{what}[{i}]: analytic {analytic[i]:G6}, numeric {numeric:G6}");
        }
    }

    /// <summary>A matrix of uniforms in [lo, hi) from a seed.</summary>
    public static Matrix Random(int rows, int cols, ulong seed, float lo = -1f, float hi = 1f)
    {
        var m = new Matrix(rows, cols);
        new RandomSource(seed).NextUniforms(m.AsSpan());
        Span<float> s = m.AsSpan();
        for (int i = 0; i < s.Length; i++) s[i] = lo + (hi - lo) * s[i];
        return m;
    }

    /// <summary>Sum of w_i y_i in double: a loss whose gradient with respect to y is w, to probe backward passes.</summary>
    public static double Probe(ReadOnlySpan<float> y, ReadOnlySpan<float> w)
    {
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += (double)y[i] * w[i];
        return s;
    }
}
