using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
    public static void PackA(float* a, bool transA, int m, int k, int i0, int mc, int k0, int kc, float* dst)
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
                for (int p = 0; p < kc; p++, src += m)
                    for (int r = 0; r < rows; r++) dst[p * mr + r] = src[r];
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
    public static void PackB(float* b, bool transB, int n, int k, int k0, int kc, int j0, int nc, float* dst)
    {
        const int nr = GemmKernel.Nr;
        for (int jp = 0; jp < nc; jp += nr, dst += nr * kc)
        {
            int cols = Math.Min(nr, nc - jp);
            if (transB && cols == nr && Avx.IsSupported)
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
            else if (cols == nr && Vector256.IsHardwareAccelerated)
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
    /// Packs a full panel of 16 rows of B (row stride <paramref name="k"/>) transposed: 8 x 8 blocks are loaded as rows
    /// and transposed in registers, so each store writes 8 of a panel row's 16 floats at once.
    /// </summary>
    private static void PackTransposedPanel(float* src, int k, int kc, float* dst)
    {
        const int nr = GemmKernel.Nr;
        for (int half = 0; half < 2; half++)
        {
            float* rows = src + (long)half * 8 * k;
            float* d = dst + half * 8;
            int p = 0;
            for (; p <= kc - 8; p += 8)
            {
                float* s = rows + p;
                Vector256<float> r0 = Avx.LoadVector256(s), r1 = Avx.LoadVector256(s + k), r2 = Avx.LoadVector256(s + 2L * k);
                Vector256<float> r3 = Avx.LoadVector256(s + 3L * k), r4 = Avx.LoadVector256(s + 4L * k), r5 = Avx.LoadVector256(s + 5L * k);
                Vector256<float> r6 = Avx.LoadVector256(s + 6L * k), r7 = Avx.LoadVector256(s + 7L * k);
                Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
                Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
                Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
                Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
                float* o = d + p * nr;
                Avx.Store(o, Avx.Permute2x128(u0, u4, 0x20));
                Avx.Store(o + nr, Avx.Permute2x128(u1, u5, 0x20));
                Avx.Store(o + 2 * nr, Avx.Permute2x128(u2, u6, 0x20));
                Avx.Store(o + 3 * nr, Avx.Permute2x128(u3, u7, 0x20));
                Avx.Store(o + 4 * nr, Avx.Permute2x128(u0, u4, 0x31));
                Avx.Store(o + 5 * nr, Avx.Permute2x128(u1, u5, 0x31));
                Avx.Store(o + 6 * nr, Avx.Permute2x128(u2, u6, 0x31));
                Avx.Store(o + 7 * nr, Avx.Permute2x128(u3, u7, 0x31));
            }
            for (; p < kc; p++)
                for (int r = 0; r < 8; r++) d[p * nr + r] = rows[(long)r * k + p];
        }
    }
}
