using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Tests.Randomness;

public class RandomSourceTests
{
    [Fact]
    public void Philox_matches_the_published_known_answers()
    {
        // Known-answer vectors from the Random123 distribution (kat_vectors, philox4x32 10 rounds).
        Philox4x32.Block(0, 0, 0, out uint a0, out uint a1, out uint a2, out uint a3);
        Assert.Equal(new uint[] { 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8 }, new[] { a0, a1, a2, a3 });
        Philox4x32.Block(0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, out a0, out a1, out a2, out a3);
        Assert.Equal(new uint[] { 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd }, new[] { a0, a1, a2, a3 });
        // counter words (243f6a88, 85a308d3, 13198a2e, 03707344), key words (a4093822, 299f31d0), low word first.
        Philox4x32.Block(0x299f31d0a4093822, 0x85a308d3243f6a88, 0x0370734413198a2e, out a0, out a1, out a2, out a3);
        Assert.Equal(new uint[] { 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1 }, new[] { a0, a1, a2, a3 });
    }

    [Fact]
    public void Uniforms_are_strictly_inside_the_unit_interval_at_the_extremes()
    {
        Assert.Equal(RandomSource.MinUniform, RandomSource.ToOpenUnit(0));
        Assert.True(RandomSource.ToOpenUnit(uint.MaxValue) < 1f);
        Assert.True(float.IsFinite(MathF.Log(1f - RandomSource.ToOpenUnit(uint.MaxValue))));
    }

    [Fact]
    public void Any_partition_of_a_stream_gives_the_same_numbers()
    {
        var whole = new float[1001];
        new RandomSource(42).NextUniforms(whole);
        var pieces = new float[1001];
        var src = new RandomSource(42);
        src.NextUniforms(pieces.AsSpan(0, 3));
        src.NextUniforms(pieces.AsSpan(3, 500));
        src.FillUniforms(503, pieces.AsSpan(503));
        Assert.Equal(whole, pieces);
    }

    [Fact]
    public void Uniform_mean_and_variance_match_within_sampling_error()
    {
        const int n = 200_000;
        var u = new float[n];
        new RandomSource(7).NextUniforms(u);
        double mean = u.Average(x => (double)x);
        double var = u.Sum(x => (x - mean) * (x - mean)) / (n - 1);
        // Standard error of the mean is sqrt(1/12/n); allow 5 of them. Var of the sample variance of U(0,1) is (1/80 - 1/144)/n.
        Assert.InRange(mean, 0.5 - 5 * Math.Sqrt(1.0 / 12 / n), 0.5 + 5 * Math.Sqrt(1.0 / 12 / n));
        Assert.InRange(var, 1.0 / 12 - 5 * Math.Sqrt((1.0 / 80 - 1.0 / 144) / n), 1.0 / 12 + 5 * Math.Sqrt((1.0 / 80 - 1.0 / 144) / n));
    }

    [Fact]
    public void NextInt_is_uniform_by_chi_square()
    {
        const int k = 7, n = 70_000;
        var counts = new int[k];
        var src = new RandomSource(3);
        for (int i = 0; i < n; i++) counts[src.NextInt(k)]++;
        double expected = (double)n / k, chi2 = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chi2 < 22.46, $"chi2 {chi2} exceeds the 0.999 quantile for 6 degrees of freedom"); // chi2_{0.999}(6) = 22.46
    }

    [Fact]
    public void Different_streams_and_seeds_differ()
    {
        var a = new float[16]; var b = new float[16]; var c = new float[16];
        new RandomSource(1).NextUniforms(a);
        new RandomSource(1).Derive(5).NextUniforms(b);
        new RandomSource(2).NextUniforms(c);
        Assert.NotEqual(a, b);
        Assert.NotEqual(a, c);
    }

    /// <summary>Draw <paramref name="index"/> computed from one scalar Philox block, independently of the fill paths.</summary>
    private static uint ScalarDraw(RandomSource src, ulong index)
    {
        Philox4x32.Block(src.Seed, index >> 2, src.Stream, out uint r0, out uint r1, out uint r2, out uint r3);
        return (index & 3) switch { 0 => r0, 1 => r1, 2 => r2, _ => r3 };
    }

    [Theory]
    [InlineData(0UL, 0UL, 0UL)]
    [InlineData(0x299f31d0a4093822UL, 0x0370734413198a2eUL, 5UL)]
    [InlineData(123UL, 7UL, 4UL * 0xFFFF_FFF0UL)] // crosses the 2^32 boundary of the low counter word
    public void Vectorized_fills_equal_the_scalar_blocks_at_any_offset_and_length(ulong seed, ulong stream, ulong basePosition)
    {
        var src = new RandomSource(seed, stream);
        foreach (ulong offset in new ulong[] { 0, 1, 2, 3, 5, 31, 64 })
            foreach (int length in new[] { 0, 1, 7, 32, 33, 95, 200 })
            {
                ulong pos = basePosition + offset;
                var bits = new uint[length]; var floats = new float[length];
                src.FillBits(pos, bits);
                src.FillUniforms(pos, floats);
                for (int i = 0; i < length; i++)
                {
                    uint expected = ScalarDraw(src, pos + (ulong)i);
                    Assert.Equal(expected, bits[i]);
                    Assert.Equal(RandomSource.ToOpenUnit(expected), floats[i]);
                }
            }
    }
}
