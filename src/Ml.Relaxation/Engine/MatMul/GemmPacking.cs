using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Ml.Relaxation.Numerics;

namespace Ml.Relaxation.Engine;

/// <summary>
/// Copies blocks of A and B into the micro-panel layout the kernel streams: A as panels of <see cref="GemmKernel.Mr"/>
/// rows (for each k, Mr consecutive floats), B as panels of <see cref="GemmKernel.Nr"/> columns (for each k, Nr
/// consecutive floats). Transposition is absorbed here, so one kernel serves A*B, A^T*B and A*B^T. Rows and columns
/// past the matrix edge are zero-filled.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>Packs rows [i0, i0+mc) x k-range [k0, k0+kc) of op(A), where A is row-major [M x K] or, transposed, [K x M].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops from the first call: the first epoch runs at full speed
    public static void PackA(float* a, bool transA, int m, int k, int i0, int mc, int k0, int kc, float* dst, bool vector)
    {
        const int mr = GemmKernel.Mr;
        for (int ip = 0; ip < mc; ip += mr, dst += mr * kc)
        {
            int rows = Math.Min(mr, mc - ip);
            if (rows < mr) new Span<float>(dst, mr * kc).Clear();
            if (transA)
            {
                // op(A)(i, p) = A[p, i]: for each p the Mr values are adjacent in A's row p.
                float* src = a + (long)k0 * m + i0 + ip;
                if (rows == mr && vector)
                {
                    // Six floats per k: one 4-float and one 2-float copy (no read past the six, no write past the panel).
                    for (int p = 0; p < kc; p++, src += m)
                    {
                        Vector128.Store(Vector128.Load(src), dst + p * mr);
                        Unsafe.WriteUnaligned(dst + p * mr + 4, Unsafe.ReadUnaligned<long>(src + 4));
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += m)
                        for (int r = 0; r < rows; r++) dst[p * mr + r] = src[r];
                }
            }
            else if (rows == mr && vector)
            {
                PackRowPanel(a + (long)(i0 + ip) * k + k0, k, kc, dst);
            }
            else
            {
                for (int r = 0; r < rows; r++)
                {
                    float* src = a + (long)(i0 + ip + r) * k + k0;
                    for (int p = 0; p < kc; p++) dst[p * mr + r] = src[p];
                }
            }
        }
    }

    /// <summary>Packs k-range [k0, k0+kc) x columns [j0, j0+nc) of op(B), where B is row-major [K x N] or, transposed, [N x K].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(float* b, bool transB, int n, int k, int k0, int kc, int j0, int nc, float* dst, bool vector)
    {
        const int nr = GemmKernel.Nr;
        for (int jp = 0; jp < nc; jp += nr, dst += nr * kc)
        {
            int cols = Math.Min(nr, nc - jp);
            if (transB && cols == nr && vector)
            {
                PackTransposedPanel(b + (long)(j0 + jp) * k + k0, k, kc, dst);
            }
            else if (transB)
            {
                // op(B)(p, j) = B[j, p]: walk each of the Nr rows of B contiguously.
                if (cols < nr) new Span<float>(dst, nr * kc).Clear();
                for (int c = 0; c < cols; c++)
                {
                    float* src = b + (long)(j0 + jp + c) * k + k0;
                    for (int p = 0; p < kc; p++) dst[p * nr + c] = src[p];
                }
            }
            else if (cols == nr && vector)
            {
                float* src = b + (long)k0 * n + j0 + jp;
                for (int p = 0; p < kc; p++, src += n)
                {
                    Vector256.Store(Vector256.Load(src), dst + p * nr);
                    Vector256.Store(Vector256.Load(src + 8), dst + p * nr + 8);
                }
            }
            else
            {
                float* src = b + (long)k0 * n + j0 + jp;
                for (int p = 0; p < kc; p++, src += n)
                {
                    float* d = dst + p * nr;
                    for (int c = 0; c < cols; c++) d[c] = src[c];
                    for (int c = cols; c < nr; c++) d[c] = 0f;
                }
            }
        }
    }

    /// <summary>
    /// Packs a full panel of 16 rows of B (row stride <paramref name="k"/>) transposed: for each 8 values of k, two 8 x 8
    /// blocks (rows 0-7 and 8-15) are loaded as rows and transposed in registers, so the panel is written one whole
    /// 64-byte row (one cache line) after another.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // like its callers: never run at tier 0
    private static void PackTransposedPanel(float* src, int k, int kc, float* dst)
    {
        const int nr = GemmKernel.Nr;
        float* upper = src + 8L * k;
        int p = 0;
        for (; p <= kc - 8; p += 8)
        {
            float* o = dst + p * nr;
            Transposition.Transpose8x8(src + p, k, 8, null, out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
            Transposition.Transpose8x8(upper + p, k, 8, null, out var h0, out var h1, out var h2, out var h3, out var h4, out var h5, out var h6, out var h7);
            StoreRow(o, o0, h0);
            StoreRow(o + nr, o1, h1);
            StoreRow(o + 2 * nr, o2, h2);
            StoreRow(o + 3 * nr, o3, h3);
            StoreRow(o + 4 * nr, o4, h4);
            StoreRow(o + 5 * nr, o5, h5);
            StoreRow(o + 6 * nr, o6, h6);
            StoreRow(o + 7 * nr, o7, h7);
        }
        for (; p < kc; p++)
            for (int r = 0; r < nr; r++) dst[p * nr + r] = src[(long)r * k + p];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* o, Vector256<float> lo, Vector256<float> hi)
    {
        Avx.Store(o, lo);
        Avx.Store(o + 8, hi);
    }

    /// <summary>
    /// Packs a full panel of 6 rows of A (row stride <paramref name="k"/>): 8 x 8 blocks (6 rows and 2 zero rows) are
    /// transposed in registers and each column's 6 floats written with a 4-float and a 2-float store.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRowPanel(float* src, int k, int kc, float* dst)
    {
        const int mr = GemmKernel.Mr;
        int p = 0;
        float* zeros = stackalloc float[8];
        for (int z = 0; z < 8; z++) zeros[z] = 0f;
        for (; p <= kc - 8; p += 8)
        {
            Transposition.Transpose8x8(src + p, k, 6, zeros, out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
            float* o = dst + p * mr;
            StoreSix(o, o0);
            StoreSix(o + mr, o1);
            StoreSix(o + 2 * mr, o2);
            StoreSix(o + 3 * mr, o3);
            StoreSix(o + 4 * mr, o4);
            StoreSix(o + 5 * mr, o5);
            StoreSix(o + 6 * mr, o6);
            StoreSix(o + 7 * mr, o7);
        }
        for (; p < kc; p++)
            for (int r = 0; r < mr; r++) dst[p * mr + r] = src[(long)r * k + p];
    }

    private static void StoreSix(float* o, Vector256<float> v)
    {
        Sse.Store(o, v.GetLower());
        Sse.StoreLow(o + 4, v.GetUpper());
    }
}
