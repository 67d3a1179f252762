using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Tests.Relaxations;

public class GumbelMaxTests
{
    /// <summary>Draws <paramref name="n"/> rows with the same logits and counts each category.</summary>
    private static long[] Counts(double[] probabilities, int n, ulong seed, bool oneHot = false)
    {
        int k = probabilities.Length;
        var row = probabilities.Select(p => p == 0 ? float.NegativeInfinity : (float)Math.Log(p)).ToArray();
        var logits = new float[n * k];
        for (int r = 0; r < n; r++) row.CopyTo(logits, r * k);
        var indices = new int[n];
        var rng = new RandomSource(seed);
        if (oneHot)
        {
            var hot = new float[n * k];
            GumbelMax.SampleOneHot(rng, logits, k, hot, indices);
            for (int r = 0; r < n; r++)
                for (int j = 0; j < k; j++)
                    Assert.Equal(j == indices[r] ? 1f : 0f, hot[r * k + j]);
        }
        else GumbelMax.Sample(rng, logits, k, indices);
        var counts = new long[k];
        foreach (int i in indices) counts[i]++;
        return counts;
    }

    public static TheoryData<double[]> Distributions => new()
    {
        new[] { 0.3, 0.7 },
        new[] { 0.05, 0.15, 0.2, 0.25, 0.35 },
        Enumerable.Range(1, 20).Select(i => i / 210.0).ToArray(),
        new[] { 1e-3, 0.2, 0.799 },
    };

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Frequencies_match_the_categorical_probabilities_by_chi_square(double[] probabilities)
    {
        var counts = Counts(probabilities, 200_000, 5);
        var (chi2, df) = Statistics.PearsonChiSquare(counts, probabilities);
        Assert.True(chi2 < Statistics.ChiSquare999(df), $"chi2 {chi2:F2} with {df} df exceeds the 0.999 quantile {Statistics.ChiSquare999(df):F2}; counts {string.Join(",", counts)}");
    }

    [Fact]
    public void One_hot_variant_matches_its_indices_and_the_probabilities()
    {
        var p = new[] { 0.1, 0.2, 0.3, 0.4 };
        var counts = Counts(p, 50_000, 9, oneHot: true);
        var (chi2, df) = Statistics.PearsonChiSquare(counts, p);
        Assert.True(chi2 < Statistics.ChiSquare999(df), $"chi2 {chi2:F2}");
    }

    [Fact]
    public void Categories_of_probability_one_in_a_hundred_thousand_and_ten_thousand_are_drawn_about_that_often()
    {
        // n = 4e6 draws at p = 1e-5: the rare category's count is Poisson(40), whose 0.0005 and 0.9995 quantiles are
        // 21 and 62. A sampler that ignores the tail (e.g. uniforms clamped away from 0 and 1, so the noise cannot
        // reach the 11.5 that this category needs) gives far fewer, one that over-weights it far more.
        const int n = 4_000_000;
        var counts = Counts(new[] { 1e-5, 1 - 1e-5 }, n, 21);
        Assert.InRange(counts[0], 21, 62);
        // A one-in-ten-thousand category in 1e6 draws: mean 100, sd 10, four standard deviations either side.
        var counts2 = Counts(new[] { 1e-4, 1 - 1e-4 }, n / 4, 22);
        Assert.InRange(counts2[0], 100 - 4 * 10, 100 + 4 * 10);
    }

    [Fact]
    public void Masked_categories_are_never_chosen_and_all_masked_rows_are_rejected()
    {
        var p = new[] { 0.5, 0, 0.5, 0 };
        var counts = Counts(p, 20_000, 3);
        Assert.Equal(0, counts[1]);
        Assert.Equal(0, counts[3]);
        var logits = new[] { 0f, 1f, float.NegativeInfinity, float.NegativeInfinity };
        var ex = Assert.Throws<ArgumentException>(() => GumbelMax.Sample(new RandomSource(1), logits, 2, new int[2]));
        Assert.Equal("logits", ex.ParamName);
        Assert.Contains("Row 1", ex.Message);
    }

    [Fact]
    public void Invalid_arguments_name_the_parameter()
    {
        var rng = new RandomSource(1);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => GumbelMax.Sample(rng, new[] { 0f, float.NaN }, 2, new int[1])).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => GumbelMax.Sample(rng, new[] { 0f, float.PositiveInfinity }, 2, new int[1])).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => GumbelMax.Sample(rng, new float[5], 2, new int[2])).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => GumbelMax.Sample(rng, new float[4], 2, new int[3])).ParamName);
        Assert.Equal("oneHot", Assert.Throws<ArgumentException>(() => GumbelMax.SampleOneHot(rng, new float[4], 2, new float[3], new int[2])).ParamName);
        Assert.Equal("categories", Assert.Throws<ArgumentOutOfRangeException>(() => GumbelMax.Sample(rng, new float[4], 0, new int[2])).ParamName);
    }

    [Fact]
    public void Picks_the_argmax_of_the_Gumbel_Softmax_sample_drawn_from_the_same_state()
    {
        const int n = 3000, k = 7;
        var logits = new float[n * k];
        var init = new RandomSource(99);
        init.NextUniforms(logits);
        for (int i = 0; i < logits.Length; i++) logits[i] = 6 * logits[i] - 3;
        var indices = new int[n];
        GumbelMax.Sample(new RandomSource(4), logits, k, indices);
        var y = new float[n * k];
        GumbelSoftmax.Sample(new RandomSource(4), logits, k, 0.7f, y);
        for (int r = 0; r < n; r++)
        {
            var row = y.AsSpan(r * k, k);
            int arg = 0;
            for (int j = 1; j < k; j++) if (row[j] > row[arg]) arg = j;
            Assert.Equal(arg, indices[r]);
        }
    }
}
