namespace Ml.Relaxation.Tests.Relaxations;

/// <summary>Critical values for the statistical tests; all at a two-sided or upper level of 0.999 unless stated.</summary>
internal static class Statistics
{
    /// <summary>Upper 0.999 quantile of the chi-square distribution (Wilson-Hilferty; within 1% for df &gt;= 3).</summary>
    public static double ChiSquare999(int degreesOfFreedom)
    {
        const double z = 3.0902; // standard normal 0.999 quantile
        double k = degreesOfFreedom, a = 2.0 / (9 * k);
        return k * Math.Pow(1 - a + z * Math.Sqrt(a), 3);
    }

    /// <summary>
    /// Pearson chi-square of <paramref name="counts"/> against <paramref name="probabilities"/>, pooling the categories with
    /// expected count below 5 into one bin so the asymptotic law holds. Returns the statistic and its degrees of freedom.
    /// </summary>
    public static (double Chi2, int Df) PearsonChiSquare(long[] counts, double[] probabilities)
    {
        long n = counts.Sum();
        double chi2 = 0, pooledExpected = 0, pooledCount = 0;
        int bins = 0;
        for (int k = 0; k < counts.Length; k++)
        {
            double e = n * probabilities[k];
            if (e < 5) { pooledExpected += e; pooledCount += counts[k]; continue; }
            chi2 += (counts[k] - e) * (counts[k] - e) / e;
            bins++;
        }
        if (pooledExpected > 0)
        {
            // A pooled bin with tiny expectation: fold it into the statistic only when it is big enough.
            if (pooledExpected >= 5) { chi2 += (pooledCount - pooledExpected) * (pooledCount - pooledExpected) / pooledExpected; bins++; }
        }
        return (chi2, bins - 1);
    }

    /// <summary>Two-sample Kolmogorov-Smirnov statistic.</summary>
    public static double KolmogorovSmirnov(float[] a, float[] b)
    {
        var x = (float[])a.Clone(); var y = (float[])b.Clone();
        Array.Sort(x); Array.Sort(y);
        int i = 0, j = 0; double d = 0;
        while (i < x.Length && j < y.Length)
        {
            float v = Math.Min(x[i], y[j]);
            while (i < x.Length && x[i] <= v) i++;
            while (j < y.Length && y[j] <= v) j++;
            d = Math.Max(d, Math.Abs((double)i / x.Length - (double)j / y.Length));
        }
        return d;
    }

    /// <summary>Two-sample KS critical value at level 0.001: c(0.001) = 1.949.</summary>
    public static double KolmogorovSmirnovCritical(int n, int m) => 1.949 * Math.Sqrt((double)(n + m) / ((double)n * m));

    /// <summary>Four standard errors of a binomial proportion estimate (two-sided level about 6e-5).</summary>
    public static double ProportionTolerance(double p, int n) => 4 * Math.Sqrt(p * (1 - p) / n) + 1.0 / n;
}
