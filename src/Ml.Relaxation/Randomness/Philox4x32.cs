using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ml.Relaxation.Randomness;

/// <summary>
/// The Philox4x32-10 counter-based generator (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011).
/// A block of four 32-bit outputs is a pure function of a 64-bit key and a 128-bit counter, so any element of a
/// stream can be computed independently: work can be split across threads in any way and the numbers stay the same.
/// </summary>
internal static class Philox4x32
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    private const uint W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>Computes the block for <paramref name="key"/> and the counter (<paramref name="counterLo"/>, <paramref name="counterHi"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block(ulong key, ulong counterLo, ulong counterHi, out uint r0, out uint r1, out uint r2, out uint r3)
    {
        uint c0 = (uint)counterLo, c1 = (uint)(counterLo >> 32), c2 = (uint)counterHi, c3 = (uint)(counterHi >> 32);
        uint k0 = (uint)key, k1 = (uint)(key >> 32);
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0;
            uint n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            c0 = n0; c1 = (uint)p1; c2 = n2; c3 = (uint)p0;
            k0 += W0; k1 += W1;
        }
        r0 = c0; r1 = c1; r2 = c2; r3 = c3;
    }

    /// <summary>Whether <see cref="Blocks8"/> can run (AVX2).</summary>
    internal static bool IsVectorized => Avx2.IsSupported;

    /// <summary>
    /// Eight consecutive blocks, counters <paramref name="counterLo"/> .. <paramref name="counterLo"/> + 7 (the caller
    /// guarantees the low 32 bits do not wrap), as the 32 outputs in stream order: <paramref name="o0"/> holds blocks 0
    /// and 1, <paramref name="o1"/> blocks 2 and 3, and so on. Bit-identical to eight calls of <see cref="Block"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Blocks8(ulong key, ulong counterLo, ulong counterHi,
        out Vector256<uint> o0, out Vector256<uint> o1, out Vector256<uint> o2, out Vector256<uint> o3)
    {
        // Structure of arrays: lane b of cJ is word J of block b.
        var c0 = Vector256.Create((uint)counterLo) + Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
        var c1 = Vector256.Create((uint)(counterLo >> 32));
        var c2 = Vector256.Create((uint)counterHi);
        var c3 = Vector256.Create((uint)(counterHi >> 32));
        uint k0 = (uint)key, k1 = (uint)(key >> 32);
        var m0 = Vector256.Create(M0);
        var m1 = Vector256.Create(M1);
        for (int round = 0; round < 10; round++)
        {
            MultiplyWide(c0, m0, out var hi0, out var lo0);
            MultiplyWide(c2, m1, out var hi1, out var lo1);
            var n0 = hi1 ^ c1 ^ Vector256.Create(k0);
            var n2 = hi0 ^ c3 ^ Vector256.Create(k1);
            c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
            k0 += W0; k1 += W1;
        }
        // Transpose 4 x 8 words into stream order (block-major).
        var t0 = Avx2.UnpackLow(c0, c1);
        var t1 = Avx2.UnpackHigh(c0, c1);
        var t2 = Avx2.UnpackLow(c2, c3);
        var t3 = Avx2.UnpackHigh(c2, c3);
        var u0 = Avx2.UnpackLow(t0.AsUInt64(), t2.AsUInt64()).AsUInt32(); // blocks 0 | 4
        var u1 = Avx2.UnpackHigh(t0.AsUInt64(), t2.AsUInt64()).AsUInt32(); // blocks 1 | 5
        var u2 = Avx2.UnpackLow(t1.AsUInt64(), t3.AsUInt64()).AsUInt32(); // blocks 2 | 6
        var u3 = Avx2.UnpackHigh(t1.AsUInt64(), t3.AsUInt64()).AsUInt32(); // blocks 3 | 7
        o0 = Avx2.Permute2x128(u0, u1, 0x20);
        o1 = Avx2.Permute2x128(u2, u3, 0x20);
        o2 = Avx2.Permute2x128(u0, u1, 0x31);
        o3 = Avx2.Permute2x128(u2, u3, 0x31);
    }

    /// <summary>The 32x32 -> 64-bit products of every lane, split into high and low words (vpmuludq on even and odd lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyWide(Vector256<uint> a, Vector256<uint> m, out Vector256<uint> hi, out Vector256<uint> lo)
    {
        var even = Avx2.Multiply(a, m);                                                    // lanes 0, 2, 4, 6
        var odd = Avx2.Multiply(Avx2.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), m);   // lanes 1, 3, 5, 7
        lo = Avx2.Blend(even.AsUInt32(), Avx2.ShiftLeftLogical(odd, 32).AsUInt32(), 0b1010_1010);
        hi = Avx2.Blend(Avx2.ShiftRightLogical(even, 32).AsUInt32(), odd.AsUInt32(), 0b1010_1010);
    }
}
