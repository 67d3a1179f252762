using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ml.Relaxation.Engine;

/// <summary>
/// The register-blocked inner kernels: a <see cref="Mr"/> x <see cref="Nr"/> tile of C from a packed A micro-panel
/// (kc groups of Mr floats) and a packed B micro-panel (kc groups of Nr floats). The AVX2/FMA kernel keeps the tile
/// in 12 ymm registers; the portable one computes the same sums in the same order with separate multiply and add.
/// Each tile element is c (+)= sum over p in order of a[p] * b[p], whatever the tile's position, so results do not
/// depend on how the output is split.
/// </summary>
internal static unsafe class GemmKernel
{
    /// <summary>Rows of a tile.</summary>
    public const int Mr = 6;

    /// <summary>Columns of a tile (two 8-float vectors).</summary>
    public const int Nr = 16;

    /// <summary>Whether the AVX2/FMA kernel runs on this machine.</summary>
    public static bool UsesFma { get; } = Fma.IsSupported && Avx2.IsSupported;

    /// <summary>
    /// Computes the tile and writes it to <paramref name="c"/> (row stride <paramref name="ldc"/>): stored when
    /// <paramref name="add"/> is false, added to what is there otherwise. <paramref name="fma"/> picks the AVX2/FMA
    /// kernel (only where <see cref="UsesFma"/>) or the portable one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tile(int kc, float* a, float* b, float* c, int ldc, bool add, bool fma)
    {
        if (fma) TileFma<SixRows>(kc, a, b, Nr, null, c, ldc, add);
        else TilePortable(kc, a, b, c, ldc, add);
    }

    /// <summary>
    /// The AVX2/FMA tile (only where <see cref="UsesFma"/>) reading B straight from the row-major source
    /// (<paramref name="ldb"/> floats per row, Nr columns from <paramref name="b"/>) and packing it into
    /// <paramref name="packedB"/> as it goes, so the first tile of a column panel saves a separate packing pass over B.
    /// The arithmetic is that of <see cref="Tile"/>.
    /// </summary>
    public static void TilePackingB(int kc, float* a, float* b, int ldb, float* packedB, float* c, int ldc, bool add) =>
        TileFma<SixRowsPackingB>(kc, a, b, ldb, packedB, c, ldc, add);

    /// <summary>
    /// The first four rows of an AVX2/FMA tile (only where <see cref="UsesFma"/>), for the last row panel when it has
    /// four rows or fewer: M = 100, 784 and 1024 all leave four, and the full kernel would spend a third of the work
    /// on the panel's zero rows. Each element's arithmetic is that of <see cref="Tile"/>.
    /// </summary>
    public static void TileFourRows(int kc, float* a, float* b, float* c, int ldc, bool add) =>
        TileFma<FourRows>(kc, a, b, Nr, null, c, ldc, add);

    /// <summary>Compile-time choices of the FMA kernel, so each variant's loop has no branch.</summary>
    private interface IKernelVariant
    {
        /// <summary>Rows of the tile computed and written: <see cref="Mr"/> or 4.</summary>
        static abstract int Rows { get; }

        /// <summary>Whether B is read from the row-major source and packed on the way.</summary>
        static abstract bool PacksB { get; }
    }

    private struct SixRows : IKernelVariant
    {
        public static int Rows => Mr;
        public static bool PacksB => false;
    }

    private struct SixRowsPackingB : IKernelVariant
    {
        public static int Rows => Mr;
        public static bool PacksB => true;
    }

    private struct FourRows : IKernelVariant
    {
        public static int Rows => 4;
        public static bool PacksB => false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TileFma<TVariant>(int kc, float* a, float* b, nint ldb, float* packedB, float* c, int ldc, bool add)
        where TVariant : struct, IKernelVariant
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        // The tile of C is read (or written) only after the loop: start bringing its lines in now, so the stores at
        // the end do not wait on misses (C rows are far apart, a pattern the hardware prefetcher does not follow).
        for (int r = 0; r < TVariant.Rows; r++)
        {
            Sse.Prefetch0(c + (long)r * ldc);
            Sse.Prefetch0(c + (long)r * ldc + Nr - 1);
        }
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Avx.LoadVector256(b), b1 = Avx.LoadVector256(b + 8);
            if (TVariant.PacksB)
            {
                Avx.Store(packedB, b0);
                Avx.Store(packedB + 8, b1);
                packedB += Nr;
            }
            Vector256<float> x = Avx.BroadcastScalarToVector256(a);
            c00 = Fma.MultiplyAdd(x, b0, c00);
            c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Avx.BroadcastScalarToVector256(a + 1);
            c10 = Fma.MultiplyAdd(x, b0, c10);
            c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Avx.BroadcastScalarToVector256(a + 2);
            c20 = Fma.MultiplyAdd(x, b0, c20);
            c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Avx.BroadcastScalarToVector256(a + 3);
            c30 = Fma.MultiplyAdd(x, b0, c30);
            c31 = Fma.MultiplyAdd(x, b1, c31);
            if (TVariant.Rows == Mr)
            {
                x = Avx.BroadcastScalarToVector256(a + 4);
                c40 = Fma.MultiplyAdd(x, b0, c40);
                c41 = Fma.MultiplyAdd(x, b1, c41);
                x = Avx.BroadcastScalarToVector256(a + 5);
                c50 = Fma.MultiplyAdd(x, b0, c50);
                c51 = Fma.MultiplyAdd(x, b1, c51);
            }
            a += Mr;
            b += ldb;
        }
        Write(c, c00, c01, add);
        Write(c + ldc, c10, c11, add);
        Write(c + 2 * ldc, c20, c21, add);
        Write(c + 3 * ldc, c30, c31, add);
        if (TVariant.Rows == Mr)
        {
            Write(c + 4 * ldc, c40, c41, add);
            Write(c + 5 * ldc, c50, c51, add);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write(float* c, Vector256<float> lo, Vector256<float> hi, bool add)
    {
        if (add)
        {
            lo = Avx.Add(Avx.LoadVector256(c), lo);
            hi = Avx.Add(Avx.LoadVector256(c + 8), hi);
        }
        Avx.Store(c, lo);
        Avx.Store(c + 8, hi);
    }

    /// <summary>The kernel for machines without AVX2/FMA (internal for tests).</summary>
    internal static void TilePortable(int kc, float* a, float* b, float* c, int ldc, bool add)
    {
        float* acc = stackalloc float[Mr * Nr];
        new Span<float>(acc, Mr * Nr).Clear();
        for (int p = 0; p < kc; p++, a += Mr, b += Nr)
            for (int i = 0; i < Mr; i++)
            {
                float x = a[i];
                float* row = acc + i * Nr;
                for (int j = 0; j < Nr; j++) row[j] += x * b[j];
            }
        for (int i = 0; i < Mr; i++)
            for (int j = 0; j < Nr; j++)
                c[i * ldc + j] = add ? c[i * ldc + j] + acc[i * Nr + j] : acc[i * Nr + j];
    }
}
