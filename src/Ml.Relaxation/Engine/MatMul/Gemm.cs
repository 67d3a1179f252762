using System.Runtime.Intrinsics;

namespace Ml.Relaxation.Engine;

/// <summary>The product kernel behind <see cref="MatMul"/> on row-major arrays.</summary>
internal static class Gemm
{
    /// <summary>C[M x N] (+)= op(A) op(B); A is [M x K] ([K x M] when transposed), B is [K x N] ([N x K] when transposed).</summary>
    public static void Run(bool transA, bool transB, int m, int n, int k, float[] a, float[] b, float[] c, bool accumulate, int threads)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) c.AsSpan(0, m * n).Clear();
            return;
        }
        int parts = Math.Min(threads, Math.Max(1, (int)Math.Min(m, (long)m * n * k / 262144)));
        if (parts <= 1)
        {
            Rows(transA, transB, m, n, k, a, b, c, accumulate, 0, m);
            return;
        }
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
            Rows(transA, transB, m, n, k, a, b, c, accumulate, (int)((long)m * p / parts), (int)((long)m * (p + 1) / parts)));
    }

    private static void Rows(bool transA, bool transB, int m, int n, int k, float[] a, float[] b, float[] c, bool accumulate, int r0, int r1)
    {
        for (int i = r0; i < r1; i++)
        {
            Span<float> ci = c.AsSpan(i * n, n);
            if (!accumulate) ci.Clear();
            if (transB)
            {
                ReadOnlySpan<float> ai = a.AsSpan(i * k, k);
                for (int j = 0; j < n; j++) ci[j] += Dot(ai, b.AsSpan(j * k, k));
                continue;
            }
            for (int p = 0; p < k; p++)
            {
                float aip = transA ? a[p * m + i] : a[i * k + p];
                ReadOnlySpan<float> bp = b.AsSpan(p * n, n);
                int j = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    var va = Vector256.Create(aip);
                    for (; j <= n - 8; j += 8)
                        (Vector256.Create(ci.Slice(j, 8)) + va * Vector256.Create(bp.Slice(j, 8))).CopyTo(ci.Slice(j, 8));
                }
                for (; j < n; j++) ci[j] += aip * bp[j];
            }
        }
    }

    private static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        float s = 0f;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }
}
