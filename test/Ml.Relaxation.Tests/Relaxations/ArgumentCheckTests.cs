using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Tests.Relaxations;

/// <summary>The shared argument checks of the relaxations: what they reject, what they let through, and their messages.</summary>
public class ArgumentCheckTests
{
    [Fact]
    public void A_single_category_is_a_valid_row_and_fewer_or_a_ragged_buffer_are_not()
    {
        // One category: the soft sample is 1 and its log 0, whatever the logit and the draw.
        var y = new float[3];
        GumbelSoftmax.Sample(new RandomSource(1), new[] { -2f, 0f, 5f }, 1, 0.5f, y);
        Assert.Equal(new[] { 1f, 1f, 1f }, y);
        Concrete.SampleLog(new RandomSource(1), new[] { -2f, 0f, 5f }, 1, 0.5f, y);
        Assert.Equal(new[] { 0f, 0f, 0f }, y);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GumbelSoftmax.Sample(new RandomSource(1), new float[4], 0, 1f, new float[4]));
        Assert.Equal("categories", e.ParamName);
        Assert.Contains("at least 1", e.Message);
        var ragged = Assert.Throws<ArgumentException>(() => GumbelSoftmax.Sample(new RandomSource(1), new float[5], 2, 1f, new float[5]));
        Assert.Equal("logits", ragged.ParamName);
        Assert.Contains("Length 5 is not a multiple of the number of categories (2)", ragged.Message);
        Assert.Contains("Expected length 6, got 5", Assert.Throws<ArgumentException>(() => GumbelSoftmax.Sample(new RandomSource(1), new float[6], 2, 1f, new float[5])).Message);
    }

    [Fact]
    public void Temperature_messages_say_what_is_expected()
    {
        Assert.Contains("finite number of at least about 2.9e-39", Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantTemperature(-1f)).Message);
        var logits = new float[6];
        var y = new float[6];
        Assert.Contains("one temperature per row (3), got 2", Assert.Throws<ArgumentException>(() => GumbelSoftmax.Sample(new RandomSource(1), logits, 2, new[] { 1f, 1f }, y)).Message);
        Assert.Contains("Temperature 2 must be", Assert.Throws<ArgumentOutOfRangeException>(() => GumbelSoftmax.Sample(new RandomSource(1), logits, 2, new[] { 1f, 1f, float.NaN }, y)).Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(20)]
    public void A_bad_logit_anywhere_in_a_long_buffer_is_found_and_named(int at)
    {
        // 24 logits: three full vectors of 8; a bad value in any of them, or in the first vector of an otherwise good
        // buffer, must reach the element-wise check.
        foreach (var (bad, text) in new[] { (float.NaN, "is NaN"), (float.PositiveInfinity, "is +infinity"), (float.NegativeInfinity, "is -infinity") })
        {
            var logits = new float[24];
            logits[at] = bad;
            var e = Assert.Throws<ArgumentException>(() => Concrete.LogDensity(logits, new float[24], 3, 1f, new float[8]));
            Assert.Equal("logits", e.ParamName);
            Assert.Contains($"Logit {at} {text}", e.Message);
            if (!float.IsNegativeInfinity(bad))
                Assert.Contains($"Logit {at} {text}", Assert.Throws<ArgumentException>(() => GumbelSoftmax.Sample(new RandomSource(1), logits, 3, 1f, new float[24])).Message);
        }
        var ok = new float[24];
        ok[at] = float.NegativeInfinity; // a masked category is fine where masks are allowed
        GumbelSoftmax.Sample(new RandomSource(1), ok, 3, 1f, new float[24]);
    }

    [Theory]
    [InlineData(3, 0)]
    [InlineData(3, 7)]
    [InlineData(5, 3)]
    [InlineData(1, 23)]
    public void An_all_masked_row_behind_good_vectors_is_found_before_any_draw(int k, int badRow)
    {
        int rows = 24 / k;
        var logits = new float[rows * k];
        for (int i = 0; i < logits.Length; i++) logits[i] = i % 3 - 1f;
        logits.AsSpan(badRow * k, k).Fill(float.NegativeInfinity);
        var rng = new RandomSource(3) { Position = 9 };
        var e = Assert.Throws<ArgumentException>(() => GumbelSoftmax.Sample(rng, logits, k, 1f, new float[logits.Length]));
        Assert.Contains($"Row {badRow} has every category masked", e.Message);
        Assert.Equal(9UL, rng.Position);
    }

    [Fact]
    public void Buffers_that_share_memory_are_rejected_and_adjacent_ones_are_not()
    {
        var a = new float[8];
        Checks.NoOverlap(a.AsSpan(0, 4), (ReadOnlySpan<float>)a.AsSpan(4, 4), "out", "in"); // output first, adjacent
        Checks.NoOverlap(a.AsSpan(4, 4), (ReadOnlySpan<float>)a.AsSpan(0, 4), "out", "in"); // output second, adjacent
        Checks.NoOverlap(a.AsSpan(0, 0), (ReadOnlySpan<float>)a, "out", "in");
        Checks.NoOverlap(a.AsSpan(4, 0), (ReadOnlySpan<float>)a, "out", "in"); // an empty output inside the other shares nothing
        Checks.NoOverlap(a.AsSpan(), ReadOnlySpan<float>.Empty, "out", "in");
        foreach (var (o, i) in new[] { (0, 3), (3, 0), (2, 2), (0, 0) })
        {
            var e = Assert.Throws<ArgumentException>(() => Checks.NoOverlap(a.AsSpan(o, 4), (ReadOnlySpan<float>)a.AsSpan(i, 4), "out", "in"));
            Assert.Equal("out", e.ParamName);
            Assert.Contains("out must not share memory with in", e.Message);
        }
        // Sizes are in bytes: 2 ints overlap the last 2 of 4 floats.
        var bytes = new int[4];
        static Span<float> Floats(int[] b, int n) => System.Runtime.InteropServices.MemoryMarshal.Cast<int, float>(b.AsSpan(0, n));
        Assert.Throws<ArgumentException>(() => Checks.NoOverlap(Floats(bytes, 3), (ReadOnlySpan<int>)bytes.AsSpan(2, 2), "out", "in"));
        Checks.NoOverlap(Floats(bytes, 2), (ReadOnlySpan<int>)bytes.AsSpan(2, 2), "out", "in");
    }

    [Fact]
    public void Gumbel_noise_needs_a_source_and_a_NaN_gate_logit_is_named()
    {
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => Gumbel.Sample(null!, new float[2])).ParamName);
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => GumbelSoftmax.Sample(null!, new float[2], 2, 1f, new float[2])).ParamName);
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => Concrete.SampleLog(null!, new float[2], 2, 1f, new float[2])).ParamName);
        Assert.Contains("Element 1 is NaN", Assert.Throws<ArgumentException>(() => HardConcrete.ExpectedL0(new[] { 0f, float.NaN })).Message);
    }
}
