using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Relaxations;

/// <summary>
/// The kernels behind <see cref="GumbelSoftmax"/>, and the perturbation <c>logits + Gumbel noise</c> that
/// <see cref="GumbelMax"/> and <see cref="Concrete"/> share with it: rows in blocks that keep the noise in L1 cache,
/// short rows eight at a time in vector lanes (<see cref="SoftmaxByLanes"/>), long rows with whole-row vector code.
/// Arguments are validated by the public API before they get here.
/// </summary>
internal static class GumbelSoftmaxKernels
{
    /// <summary>Rows are processed in blocks of about this many elements so the noise stays in L1 cache.</summary>
    internal const int BlockElements = 2048;

    /// <summary>The soft (and straight-through) sample of a range of rows: noise, shift, exponentials, normalization.</summary>
    internal unsafe struct SoftKernel : IRowKernel
    {
        public RandomSource Rng;
        public ulong Start;
        public float* Logits, Y, RowTau, OneHot;
        public int* Indices;
        public float Tau;
        public int K;
        public bool ByLanes;

        public int Run(int rowStart, int rowEnd)
        {
            int k = K;
            Span<float> shifted = stackalloc float[BlockElements];
            if (ByLanes) return RunByLanes(rowStart, rowEnd, shifted);
            int block = Math.Max(1, BlockElements / k);
            for (int b = rowStart; b < rowEnd; b += block)
            {
                int bEnd = Math.Min(rowEnd, b + block);
                // Whole block at once, vectorized: uniforms, then z = logits (shifted for large ones, see Perturb) + Gumbel noise.
                var z = new Span<float>(Y + (long)b * k, (bEnd - b) * k);
                Perturb(Rng, Start + (ulong)b * (ulong)k, new ReadOnlySpan<float>(Logits + (long)b * k, z.Length), k, z, shifted);
                // Row by row: subtract the row maximum and scale by 1/tau, so every exponent is <= 0 for any logits and tau.
                for (int r = b; r < bEnd; r++)
                {
                    int arg = ShiftRow(z.Slice((r - b) * k, k), 1f / (RowTau == null ? Tau : RowTau[r]), Indices != null);
                    if (arg < 0) return r;
                    if (Indices != null)
                    {
                        Indices[r] = arg;
                        var hot = new Span<float>(OneHot + (long)r * k, k);
                        hot.Clear();
                        hot[arg] = 1f;
                    }
                }
                ElementMath.ExpNonPositive(z);
                for (int r = b; r < bEnd; r++) NormalizeRow(z.Slice((r - b) * k, k));
            }
            return -1;
        }

        /// <summary>Short rows: the same noise, then the softmax with eight rows at a time in vector lanes.</summary>
        private int RunByLanes(int rowStart, int rowEnd, Span<float> shifted)
        {
            int k = K, block = Math.Max(8, BlockElements / k & ~7);
            for (int b = rowStart; b < rowEnd; b += block)
            {
                int bEnd = Math.Min(rowEnd, b + block);
                var z = new Span<float>(Y + (long)b * k, (bEnd - b) * k);
                Perturb(Rng, Start + (ulong)b * (ulong)k, new ReadOnlySpan<float>(Logits + (long)b * k, z.Length), k, z, shifted);
                int bad = SoftmaxByLanes.Run(Y + (long)b * k, bEnd - b, k, Tau, RowTau == null ? null : RowTau + b,
                    Indices == null ? null : Indices + b, OneHot == null ? null : OneHot + (long)b * k);
                if (bad >= 0) return b + bad;
            }
            return -1;
        }
    }

    /// <summary>Row length from which the row-wise passes use <see cref="TensorPrimitives"/> instead of inline vectors.</summary>
    private const int LongRow = 64;

    /// <summary>
    /// Logits within this magnitude are perturbed as they are: <c>logits + G</c> then errs by at most half a float
    /// spacing of 64 + 17 (the largest Gumbel draw), 4e-6, about the noise's own accuracy.
    /// </summary>
    internal const float UnshiftedLogitMagnitude = 64f;

    /// <summary>
    /// What <see cref="Perturb"/> subtracts from a row's logits before adding noise: 0 when every logit lies within
    /// +-<see cref="UnshiftedLogitMagnitude"/>, otherwise the row's largest logit. Large logits would swallow the
    /// noise's low bits (at 1e7 the float spacing is 1, and <c>logits + G</c> rounds the noise to whole numbers);
    /// softmax and argmax do not change under the shift. A masked (-infinity) category also selects the shift.
    /// </summary>
    internal static float RowShift(ReadOnlySpan<float> logits) =>
        TensorPrimitives.MaxMagnitude(logits) is var m && m >= -UnshiftedLogitMagnitude && m <= UnshiftedLogitMagnitude ? 0f : RowMax(logits);

    /// <summary>
    /// <c>z = (logits - RowShift(row)) + G</c> for whole rows of <paramref name="k"/> logits, with Gumbel noise <c>G</c>
    /// from draws <paramref name="position"/>, <paramref name="position"/> + 1, ... (element i takes draw position + i).
    /// <paramref name="shifted"/> is scratch of <see cref="BlockElements"/> floats; rows longer than that go in segments,
    /// shorter rows in one pass of at most that many elements.
    /// </summary>
    /// <remarks>
    /// The shift is decided row by row (<see cref="RowShift"/>), so a row's sample never depends on the rows batched
    /// with it; a block whose logits all lie within the bound skips the per-row work (one vectorized pass).
    /// </remarks>
    internal static void Perturb(RandomSource rng, ulong position, ReadOnlySpan<float> logits, int k, Span<float> z, Span<float> shifted)
    {
        if (k > shifted.Length)
        {
            for (int r = 0; r < logits.Length; r += k)
            {
                var row = logits.Slice(r, k);
                float shift = RowShift(row);
                for (int s = 0; s < k; s += shifted.Length)
                {
                    int len = Math.Min(shifted.Length, k - s);
                    PerturbSegment(rng, position + (ulong)(r + s), row.Slice(s, len), shift, z.Slice(r + s, len), shifted);
                }
            }
            return;
        }
        System.Diagnostics.Debug.Assert(logits.Length <= shifted.Length);
        rng.FillUniforms(position, z);
        float magnitude = TensorPrimitives.MaxMagnitude(logits);
        if (magnitude >= -UnshiftedLogitMagnitude && magnitude <= UnshiftedLogitMagnitude)
        {
            ElementMath.AddGumbel(logits, z);
            return;
        }
        for (int r = 0; r < logits.Length; r += k)
        {
            var row = logits.Slice(r, k);
            SubtractShift(row, RowShift(row), shifted.Slice(r, k));
        }
        ElementMath.AddGumbel(shifted[..z.Length], z);
    }

    /// <summary>
    /// <c>z = (logits - shift) + G</c> for a segment of at most <see cref="BlockElements"/> logits of one row, with noise
    /// from draws <paramref name="position"/>, ... (<paramref name="shift"/> is <see cref="RowShift"/> of the whole row).
    /// </summary>
    internal static void PerturbSegment(RandomSource rng, ulong position, ReadOnlySpan<float> logits, float shift, Span<float> z, Span<float> shifted)
    {
        rng.FillUniforms(position, z);
        if (shift == 0f)
        {
            ElementMath.AddGumbel(logits, z);
            return;
        }
        var s = shifted[..logits.Length];
        SubtractShift(logits, shift, s);
        ElementMath.AddGumbel(s, z);
    }

    private static void SubtractShift(ReadOnlySpan<float> x, float shift, Span<float> d)
    {
        if (x.Length >= 16)
        {
            TensorPrimitives.Subtract(x, shift, d);
            return;
        }
        for (int j = 0; j < x.Length; j++) d[j] = x[j] - shift;
    }

    /// <summary>
    /// Replaces <c>z</c> by <c>(z - max z) / tau</c> and returns the argmax (first on ties) when
    /// <paramref name="needArgMax"/> is set, otherwise 0; -1 when the row is all -infinity (every category masked).
    /// </summary>
    internal static int ShiftRow(Span<float> z, float invTau, bool needArgMax)
    {
        int k = z.Length;
        float max = RowMax(z);
        if (float.IsNegativeInfinity(max)) return -1;
        int arg = needArgMax ? z.IndexOf(max) : 0;
        if (k >= LongRow)
        {
            TensorPrimitives.Subtract(z, max, z);
            TensorPrimitives.Multiply(z, invTau, z);
        }
        else if (k >= 8)
        {
            // Full vectors plus one overlapping last vector, computed from the original values before any store.
            ref float r = ref MemoryMarshal.GetReference(z);
            var vmax = Vector256.Create(max);
            var scale = Vector256.Create(invTau);
            var last = (Vector256.LoadUnsafe(ref r, (nuint)(k - 8)) - vmax) * scale;
            for (int j = 0; j + 8 <= k; j += 8)
                ((Vector256.LoadUnsafe(ref r, (nuint)j) - vmax) * scale).StoreUnsafe(ref r, (nuint)j);
            last.StoreUnsafe(ref r, (nuint)(k - 8));
        }
        else
        {
            for (int j = 0; j < k; j++) z[j] = (z[j] - max) * invTau;
        }
        return arg;
    }

    /// <summary>The largest element of a row (branch-free, so random rows cost no mispredictions).</summary>
    internal static float RowMax(ReadOnlySpan<float> z)
    {
        int k = z.Length;
        if (k >= LongRow) return TensorPrimitives.Max(z);
        if (k >= 8)
        {
            ref float r = ref MemoryMarshal.GetReference(z);
            var m = Vector256.LoadUnsafe(ref r, (nuint)(k - 8));
            for (int j = 0; j + 8 <= k; j += 8) m = Vector256.Max(m, Vector256.LoadUnsafe(ref r, (nuint)j));
            var h = Vector128.Max(m.GetLower(), m.GetUpper());
            h = Vector128.Max(h, Vector128.Shuffle(h, Vector128.Create(2, 3, 0, 1)));
            h = Vector128.Max(h, Vector128.Shuffle(h, Vector128.Create(1, 0, 3, 2)));
            return h.ToScalar();
        }
        float max = z[0];
        for (int j = 1; j < k; j++) max = z[j] > max ? z[j] : max;
        return max;
    }

    /// <summary>Divides a row of non-negative values by its sum (at least 1 here: the maximum's exponent is 0).</summary>
    internal static void NormalizeRow(Span<float> e)
    {
        int k = e.Length;
        if (k >= LongRow)
        {
            TensorPrimitives.Multiply(e, 1f / TensorPrimitives.Sum(e), e);
            return;
        }
        if (k >= 8)
        {
            ref float r = ref MemoryMarshal.GetReference(e);
            int full = k & ~7;
            var acc = Vector256<float>.Zero;
            for (int j = 0; j < full; j += 8) acc += Vector256.LoadUnsafe(ref r, (nuint)j);
            // The overlapping last vector, with the lanes already summed masked out.
            var lastRaw = Vector256.LoadUnsafe(ref r, (nuint)(k - 8));
            var fresh = Vector256.GreaterThanOrEqual(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(full - (k - 8))).AsSingle();
            acc += lastRaw & fresh;
            var h = acc.GetLower() + acc.GetUpper();
            h += Vector128.Shuffle(h, Vector128.Create(2, 3, 0, 1));
            h += Vector128.Shuffle(h, Vector128.Create(1, 0, 3, 2));
            var inv = Vector256.Create(1f / h.ToScalar());
            var last = lastRaw * inv;
            for (int j = 0; j < full; j += 8) (Vector256.LoadUnsafe(ref r, (nuint)j) * inv).StoreUnsafe(ref r, (nuint)j);
            last.StoreUnsafe(ref r, (nuint)(k - 8));
            return;
        }
        float sum = 0f;
        for (int j = 0; j < k; j++) sum += e[j];
        float invSum = 1f / sum;
        for (int j = 0; j < k; j++) e[j] *= invSum;
    }

    /// <summary>
    /// <c>dLogits = y (dy - sum_j y_j dy_j) / tau</c> row by row (the API validated the temperatures); dLogits may be
    /// the memory of dy.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> softY, ReadOnlySpan<float> dy, int categories, float tau,
        ReadOnlySpan<float> rowTau, Span<float> dLogits)
    {
        int rows = Checks.Rows(softY.Length, categories, nameof(softY));
        Checks.Length(dy.Length, softY.Length, nameof(dy));
        Checks.Length(dLogits.Length, softY.Length, nameof(dLogits));
        for (int r = 0; r < rows; r++)
        {
            var y = softY.Slice(r * categories, categories);
            var g = dy.Slice(r * categories, categories);
            var d = dLogits.Slice(r * categories, categories);
            float invTau = 1f / (rowTau.IsEmpty ? tau : rowTau[r]);
            if (categories >= LongRow)
            {
                float dot = TensorPrimitives.Dot(y, g);
                // d = y * (g - dot) / tau, written so that d may alias g.
                TensorPrimitives.Subtract(g, dot, d);
                TensorPrimitives.Multiply(d, y, d);
                TensorPrimitives.Multiply(d, invTau, d);
                continue;
            }
            float s = 0f;
            for (int k = 0; k < categories; k++) s += y[k] * g[k];
            for (int k = 0; k < categories; k++) d[k] = y[k] * (g[k] - s) * invTau;
        }
    }
}
