using System.Runtime.Intrinsics;

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
            if (transB)
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
}
