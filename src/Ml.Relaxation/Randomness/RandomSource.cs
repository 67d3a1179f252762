using System.Runtime.Intrinsics;

namespace Ml.Relaxation.Randomness;

/// <summary>
/// A seedable source of random numbers for all sampling in the library, built on the Philox4x32-10 counter-based
/// generator (Salmon et al. 2011).
/// Draw number <c>i</c> of stream <c>s</c> under seed <c>k</c> is a fixed function of (<c>k</c>, <c>s</c>, <c>i</c>), so
/// results are reproducible bit for bit for a given seed whatever the number of threads or how work is partitioned.
/// Uniforms are strictly inside (0, 1): <c>log(u)</c> and <c>log(1 - u)</c> are always finite.
/// </summary>
/// <remarks>Not thread-safe as an object (it keeps a position); the static-position methods are.</remarks>
public sealed class RandomSource
{
    /// <summary>Smallest uniform ever returned, 2^-24; the largest is 1 - 2^-24.</summary>
    public const float MinUniform = 1f / (1 << 24);

    /// <summary>Creates a source for <paramref name="seed"/> and sub-stream <paramref name="stream"/>.</summary>
    public RandomSource(ulong seed, ulong stream = 0)
    {
        Seed = seed;
        Stream = stream;
    }

    /// <summary>The key of the generator.</summary>
    public ulong Seed { get; }

    /// <summary>The sub-stream: sources with the same seed and different streams are independent.</summary>
    public ulong Stream { get; }

    /// <summary>How many 32-bit draws this source has consumed; each method below advances it.</summary>
    public ulong Position { get; set; }

    /// <summary>An independent source with the same seed and another stream, e.g. one per model component.</summary>
    public RandomSource Derive(ulong stream) => new(Seed, Stream * 0x9E3779B97F4A7C15UL + stream + 1);

    /// <summary>Fills <paramref name="destination"/> with uniforms in the open interval (0, 1) and advances <see cref="Position"/>.</summary>
    public void NextUniforms(Span<float> destination)
    {
        FillUniforms(Position, destination);
        Position += (ulong)destination.Length;
    }

    /// <summary>Reserves <paramref name="count"/> draws and returns the position of the first, for callers that fill in parallel with <see cref="FillUniforms"/>.</summary>
    public ulong Reserve(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ulong start = Position;
        Position += (ulong)count;
        return start;
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with draws <paramref name="position"/>, <paramref name="position"/>+1, ...
    /// as uniforms in (0, 1), without changing <see cref="Position"/>. Thread-safe.
    /// </summary>
    public void FillUniforms(ulong position, Span<float> destination)
    {
        int i = 0;
        ulong block = position >> 2;
        int skip = (int)(position & 3);
        Span<uint> r = stackalloc uint[4];
        while (i < destination.Length)
        {
            if (skip == 0 && destination.Length - i >= 32 && Philox4x32.IsVectorized && (uint)block <= uint.MaxValue - 7)
            {
                // Eight blocks at once; the float conversion is exact, so results equal the scalar path bit for bit.
                Philox4x32.Blocks8(Seed, block, Stream, out var o0, out var o1, out var o2, out var o3);
                var dest = destination.Slice(i, 32);
                ToOpenUnit(o0).CopyTo(dest);
                ToOpenUnit(o1).CopyTo(dest[8..]);
                ToOpenUnit(o2).CopyTo(dest[16..]);
                ToOpenUnit(o3).CopyTo(dest[24..]);
                i += 32;
                block += 8;
                continue;
            }
            Philox4x32.Block(Seed, block, Stream, out r[0], out r[1], out r[2], out r[3]);
            for (int j = skip; j < 4 && i < destination.Length; j++)
                destination[i++] = ToOpenUnit(r[j]);
            skip = 0;
            block++;
        }
    }

    /// <summary>Fills <paramref name="destination"/> with raw 32-bit draws starting at <paramref name="position"/>. Thread-safe.</summary>
    public void FillBits(ulong position, Span<uint> destination)
    {
        int i = 0;
        ulong block = position >> 2;
        int skip = (int)(position & 3);
        Span<uint> r = stackalloc uint[4];
        while (i < destination.Length)
        {
            if (skip == 0 && destination.Length - i >= 32 && Philox4x32.IsVectorized && (uint)block <= uint.MaxValue - 7)
            {
                Philox4x32.Blocks8(Seed, block, Stream, out var o0, out var o1, out var o2, out var o3);
                var dest = destination.Slice(i, 32);
                o0.CopyTo(dest);
                o1.CopyTo(dest[8..]);
                o2.CopyTo(dest[16..]);
                o3.CopyTo(dest[24..]);
                i += 32;
                block += 8;
                continue;
            }
            Philox4x32.Block(Seed, block, Stream, out r[0], out r[1], out r[2], out r[3]);
            for (int j = skip; j < 4 && i < destination.Length; j++)
                destination[i++] = r[j];
            skip = 0;
            block++;
        }
    }

    /// <summary>One uniform in (0, 1).</summary>
    public float NextUniform()
    {
        Span<float> one = stackalloc float[1];
        NextUniforms(one);
        return one[0];
    }

    /// <summary>One double uniform in (0, 1) from two draws (53 bits).</summary>
    public double NextDouble()
    {
        Span<uint> two = stackalloc uint[2];
        FillBits(Position, two);
        Position += 2;
        return ToOpenUnitDouble(((ulong)two[0] << 21) ^ two[1]);
    }

    /// <summary>
    /// Maps the low 53 bits to a double strictly inside (0, 1): <c>(bits + 0.5) 2^-53</c>. From 2^52 on, <c>bits + 0.5</c>
    /// needs 54 bits and rounds to even, so all ones would round to exactly 1; that one value is returned as the largest
    /// double below 1 instead (a change of 2^-54 with probability 2^-53).
    /// </summary>
    internal static double ToOpenUnitDouble(ulong bits) =>
        Math.Min(((bits & ((1UL << 53) - 1)) + 0.5) * (1.0 / (1UL << 53)), LargestBelowOne);

    private const double LargestBelowOne = 1.0 - 1.0 / (1UL << 53);

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias (Lemire's method).</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        Span<uint> one = stackalloc uint[1];
        uint bound = (uint)maxExclusive;
        uint threshold = (uint)(-bound) % bound;
        while (true)
        {
            FillBits(Position++, one);
            ulong m = (ulong)one[0] * bound;
            if ((uint)m >= threshold) return (int)(m >> 32);
        }
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher-Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>Maps 32 random bits to a float strictly inside (0, 1): the top 23 bits plus one half, times 2^-23.</summary>
    public static float ToOpenUnit(uint bits) => ((bits >> 9) + 0.5f) * (1f / (1 << 23));

    /// <summary><see cref="ToOpenUnit(uint)"/> on eight lanes (exact: the 23-bit integer converts without rounding).</summary>
    private static Vector256<float> ToOpenUnit(Vector256<uint> bits) =>
        (Vector256.ConvertToSingle(Vector256.ShiftRightLogical(bits, 9).AsInt32()) + Vector256.Create(0.5f)) * Vector256.Create(1f / (1 << 23));
}
