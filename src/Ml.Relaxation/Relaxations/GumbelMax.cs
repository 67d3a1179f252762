using System.Numerics.Tensors;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Relaxations;

/// <summary>
/// Exact categorical sampling by the Gumbel-Max trick: <c>argmax_k (logits_k + G_k)</c> is distributed as
/// Categorical(softmax(logits)), row by row over a row-major <c>[rows x categories]</c> batch.
/// </summary>
/// <remarks>
/// Logits need not be normalized; <c>-infinity</c> masks a category (never chosen), but every row needs at least one
/// finite logit. Each call reserves <c>rows * categories</c> draws laid out as in <see cref="GumbelSoftmax"/>, so with
/// the same source state both pick the same category.
/// </remarks>
public static class GumbelMax
{
    /// <summary>Draws one category index per row.</summary>
    /// <param name="rng">The random source; advanced by <c>logits.Length</c> draws.</param>
    /// <param name="logits">Unnormalized log-probabilities, row-major <c>[rows x categories]</c>.</param>
    /// <param name="categories">Categories per row (K).</param>
    /// <param name="indices">Output: the chosen category of each row, in [0, K).</param>
    public static void Sample(RandomSource rng, ReadOnlySpan<float> logits, int categories, Span<int> indices) =>
        SampleCore(rng, logits, categories, indices, default);

    /// <summary>Draws one category per row as a one-hot row and as an index.</summary>
    /// <param name="rng">The random source; advanced by <c>logits.Length</c> draws.</param>
    /// <param name="logits">Unnormalized log-probabilities, row-major <c>[rows x categories]</c>.</param>
    /// <param name="categories">Categories per row (K).</param>
    /// <param name="oneHot">Output one-hot rows, same shape as <paramref name="logits"/>.</param>
    /// <param name="indices">Output: the chosen category of each row.</param>
    public static void SampleOneHot(RandomSource rng, ReadOnlySpan<float> logits, int categories, Span<float> oneHot, Span<int> indices)
    {
        Checks.Length(oneHot.Length, logits.Length, nameof(oneHot));
        SampleCore(rng, logits, categories, indices, oneHot);
    }

    private static unsafe void SampleCore(RandomSource rng, ReadOnlySpan<float> logits, int categories, Span<int> indices, Span<float> oneHot)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int rows = Checks.Rows(logits.Length, categories, nameof(logits));
        Checks.Length(indices.Length, rows, nameof(indices));
        Checks.NoOverlap(oneHot, logits, nameof(oneHot), nameof(logits));
        Checks.MaskableLogitRows(logits, categories, nameof(logits));
        ulong start = rng.Reserve(logits.Length);
        if (rows == 0) return;
        fixed (float* l = logits, oh = oneHot)
        fixed (int* ix = indices)
        {
            var kernel = new MaxKernel { Rng = rng, Start = start, Logits = l, OneHot = oh, Indices = ix, K = categories };
            int bad = RowParallel.Run(kernel, rows, categories);
            if (bad >= 0) Checks.ThrowAllMasked(bad, nameof(logits));
        }
    }

    private unsafe struct MaxKernel : IRowKernel
    {
        public RandomSource Rng;
        public ulong Start;
        public float* Logits, OneHot;
        public int* Indices;
        public int K;

        public int Run(int rowStart, int rowEnd)
        {
            const int Block = GumbelSoftmaxKernels.BlockElements;
            Span<float> scratch = stackalloc float[Block], shifted = stackalloc float[Block];
            int k = K;
            if (k > Block) return RunLongRows(rowStart, rowEnd, scratch, shifted);
            int blockRows = Block / k;
            for (int b = rowStart; b < rowEnd; b += blockRows)
            {
                int bEnd = Math.Min(rowEnd, b + blockRows);
                var noise = scratch[..((bEnd - b) * k)];
                // z = logits (shifted for large ones) + Gumbel noise, exactly as GumbelSoftmax computes it: both pick the same category.
                GumbelSoftmaxKernels.Perturb(Rng, Start + (ulong)b * (ulong)k, new ReadOnlySpan<float>(Logits + (long)b * k, noise.Length), k, noise, shifted);
                for (int r = b; r < bEnd; r++)
                {
                    var row = noise.Slice((r - b) * k, k);
                    float max = GumbelSoftmaxKernels.RowMax(row);
                    int best = float.IsNegativeInfinity(max) ? -1 : row.IndexOf(max);
                    if (best < 0) return r;
                    Write(r, best);
                }
            }
            return -1;
        }

        private int RunLongRows(int rowStart, int rowEnd, Span<float> scratch, Span<float> shifted)
        {
            int k = K;
            for (int r = rowStart; r < rowEnd; r++)
            {
                // A row longer than the scratch buffer is scanned in segments with a running maximum.
                int best = -1;
                float bestValue = float.NegativeInfinity;
                var row = new ReadOnlySpan<float>(Logits + (long)r * k, k);
                float shift = GumbelSoftmaxKernels.RowShift(row);
                for (int s = 0; s < k; s += scratch.Length)
                {
                    int len = Math.Min(scratch.Length, k - s);
                    var z = scratch[..len];
                    GumbelSoftmaxKernels.PerturbSegment(Rng, Start + (ulong)r * (ulong)k + (ulong)s, row.Slice(s, len), shift, z, shifted);
                    int arg = TensorPrimitives.IndexOfMax(z);
                    if (z[arg] > bestValue) { bestValue = z[arg]; best = s + arg; }
                }
                if (best < 0) return r;
                Write(r, best);
            }
            return -1;
        }

        private void Write(int row, int best)
        {
            Indices[row] = best;
            if (OneHot != null)
            {
                var hot = new Span<float>(OneHot + (long)row * K, K);
                hot.Clear();
                hot[best] = 1f;
            }
        }
    }
}
