using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ml.Relaxation.Numerics;

/// <summary>In-register transposition of 8 x 8 float blocks (AVX), shared by the matrix packing and the row-softmax kernels.</summary>
internal static unsafe class Transposition
{
    /// <summary>
    /// Loads rows 0..<paramref name="rows"/>-1 of an 8-column block at <paramref name="s"/> (row stride <paramref name="k"/>;
    /// missing rows read from <paramref name="zeros"/>) and returns its columns: o_j = (row0[j], ..., row7[j]).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose8x8(float* s, int k, int rows, float* zeros, out Vector256<float> o0, out Vector256<float> o1,
        out Vector256<float> o2, out Vector256<float> o3, out Vector256<float> o4, out Vector256<float> o5, out Vector256<float> o6,
        out Vector256<float> o7)
    {
        Vector256<float> r0 = Avx.LoadVector256(s), r1 = Avx.LoadVector256(s + k), r2 = Avx.LoadVector256(s + 2L * k);
        Vector256<float> r3 = Avx.LoadVector256(s + 3L * k), r4 = Avx.LoadVector256(s + 4L * k), r5 = Avx.LoadVector256(s + 5L * k);
        Vector256<float> r6 = Avx.LoadVector256(rows > 6 ? s + 6L * k : zeros), r7 = Avx.LoadVector256(rows > 7 ? s + 7L * k : zeros);
        Transpose8x8(r0, r1, r2, r3, r4, r5, r6, r7, out o0, out o1, out o2, out o3, out o4, out o5, out o6, out o7);
    }

    /// <summary>The transpose of the 8 x 8 block whose rows are <paramref name="r0"/> to <paramref name="r7"/>: o_j = (r0[j], ..., r7[j]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose8x8(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, out Vector256<float> o0,
        out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3, out Vector256<float> o4, out Vector256<float> o5,
        out Vector256<float> o6, out Vector256<float> o7)
    {
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        o0 = Avx.Permute2x128(u0, u4, 0x20);
        o1 = Avx.Permute2x128(u1, u5, 0x20);
        o2 = Avx.Permute2x128(u2, u6, 0x20);
        o3 = Avx.Permute2x128(u3, u7, 0x20);
        o4 = Avx.Permute2x128(u0, u4, 0x31);
        o5 = Avx.Permute2x128(u1, u5, 0x31);
        o6 = Avx.Permute2x128(u2, u6, 0x31);
        o7 = Avx.Permute2x128(u3, u7, 0x31);
    }

    /// <summary>Reads the 8 x 8 block at <paramref name="s"/> (row stride <paramref name="stride"/>) into <paramref name="columns"/> as its 8 columns (8 floats each).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadColumns(float* s, int stride, float* columns)
    {
        Transpose8x8(s, stride, 8, null, out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
        Avx.Store(columns, o0);
        Avx.Store(columns + 8, o1);
        Avx.Store(columns + 16, o2);
        Avx.Store(columns + 24, o3);
        Avx.Store(columns + 32, o4);
        Avx.Store(columns + 40, o5);
        Avx.Store(columns + 48, o6);
        Avx.Store(columns + 56, o7);
    }

    /// <summary>
    /// The inverse of <see cref="LoadColumns"/>, scaling on the way: writes 8 columns (8 floats each), each multiplied
    /// lane-wise by <paramref name="scale"/>, as the 8 x 8 block at <paramref name="s"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreColumns(float* columns, Vector256<float> scale, float* s, int stride)
    {
        Transpose8x8(Avx.LoadVector256(columns) * scale, Avx.LoadVector256(columns + 8) * scale, Avx.LoadVector256(columns + 16) * scale,
            Avx.LoadVector256(columns + 24) * scale, Avx.LoadVector256(columns + 32) * scale, Avx.LoadVector256(columns + 40) * scale,
            Avx.LoadVector256(columns + 48) * scale, Avx.LoadVector256(columns + 56) * scale,
            out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
        Avx.Store(s, o0);
        Avx.Store(s + stride, o1);
        Avx.Store(s + 2L * stride, o2);
        Avx.Store(s + 3L * stride, o3);
        Avx.Store(s + 4L * stride, o4);
        Avx.Store(s + 5L * stride, o5);
        Avx.Store(s + 6L * stride, o6);
        Avx.Store(s + 7L * stride, o7);
    }
}
