namespace Ml.Relaxation.Tests.Relaxations;

/// <summary>Central finite differences against an analytic gradient.</summary>
internal static class GradientCheck
{
    /// <summary>
    /// Asserts that <paramref name="analytic"/> matches <c>(f(x + h e_i) - f(x - h e_i)) / 2h</c> for every coordinate,
    /// within <paramref name="relativeTolerance"/> of max(0.1, |numeric|) (float forward passes limit the precision, so a
    /// gradient near 0 is compared on the scale 0.1).
    /// </summary>
    public static void AssertMatches(Func<float[], double> f, float[] x, float[] analytic, float h, double relativeTolerance)
    {
        for (int i = 0; i < x.Length; i++)
        {
            var plus = (float[])x.Clone(); plus[i] += h;
            var minus = (float[])x.Clone(); minus[i] -= h;
            double numeric = (f(plus) - f(minus)) / (plus[i] - minus[i]);
            double scale = Math.Max(1e-1, Math.Abs(numeric));
            Assert.True(Math.Abs(analytic[i] - numeric) <= relativeTolerance * scale,
                $"coordinate {i}: analytic {analytic[i]}, numeric {numeric}");
        }
    }
}
