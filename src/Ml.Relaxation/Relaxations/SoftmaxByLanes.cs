using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Ml.Relaxation.Numerics;

namespace Ml.Relaxation.Relaxations;

/// <summary>
/// The tempered row softmax <c>y = softmax(z / tau)</c> of short rows (<see cref="MinCategories"/> to
/// <see cref="MaxCategories"/> categories), eight rows at a time with one row per vector lane. Row-wise code spends
/// most of its time on horizontal maxima and sums across a vector and on the leftover elements of rows that are not a
/// multiple of eight long. Here eight rows are transposed in registers (8 x 8 blocks; the last block overlaps the one
/// before when the row length is not a multiple of 8) into one vector per category, so the maximum, exponentials, sum
/// and division are plain vector operations with every lane busy, and then transposed back.
/// </summary>
/// <remarks>
/// Every row goes through the same lane code: the row maximum, the argmax (first on ties), the shift and scale
/// <c>(z - max) / tau</c>, <see cref="VectorMath.ExpNonPositive"/>, and the sum over categories in index order. A
/// group of fewer than eight rows is computed in a padded copy, so a row's result does not depend on where a batch
/// was cut.
/// </remarks>
internal static unsafe class SoftmaxByLanes
{
    /// <summary>Shortest row handled here (a row must fill an 8-column block).</summary>
    public const int MinCategories = 8;

    /// <summary>Longest row handled here (from 64 categories on, row-wise vector code has no short-row overhead).</summary>
    public const int MaxCategories = 63;

    /// <summary>
    /// Test hook: samples started on this thread use the row-by-row softmax, as on a machine without AVX2 (e.g. ARM64),
    /// so that path is tested for these row lengths here too.
    /// </summary>
    [ThreadStatic] internal static bool RowsOnThisThread;

    /// <summary>Test hook: whether the last Gumbel-Softmax sample started on this thread computed its softmax here.</summary>
    [ThreadStatic] internal static bool LastSampleOnThisThreadUsedLanes;

    /// <summary>Whether rows of <paramref name="categories"/> go through <see cref="Run"/> on this machine (it needs AVX2).</summary>
    public static bool Handles(int categories) => Avx2.IsSupported && Fma.IsSupported && categories >= MinCategories && categories <= MaxCategories;

    /// <summary>
    /// Replaces the rows of <paramref name="z"/> (<paramref name="rows"/> x <paramref name="k"/>, row-major) by their
    /// tempered softmax. Temperature is <paramref name="rowTau"/>[r] when given, otherwise <paramref name="tau"/>. When
    /// <paramref name="indices"/> is given, writes each row's argmax (first on ties) there and its one-hot row to
    /// <paramref name="oneHot"/>. Returns the first row whose elements are all -infinity (left unfinished), or -1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Run(float* z, int rows, int k, float tau, float* rowTau, int* indices, float* oneHot)
    {
        float* columns = stackalloc float[8 * MaxCategories];
        var invTau = Vector256.Create(1f / tau);
        int full = rows & ~7;
        for (int r = 0; r < full; r += 8)
        {
            if (rowTau != null) invTau = Vector256.Create(1f) / Avx.LoadVector256(rowTau + r);
            int bad = Group(z + (long)r * k, k, invTau, columns, indices == null ? null : indices + r, oneHot == null ? null : oneHot + (long)r * k);
            if (bad >= 0) return r + bad;
        }
        if (full == rows) return -1;

        // The last few rows: padded with rows of zeros (a valid input) and computed exactly like a full group.
        int left = rows - full;
        float* pad = stackalloc float[8 * MaxCategories];
        float* padTau = stackalloc float[8];
        int* padIndex = stackalloc int[8];
        float* padHot = stackalloc float[8 * MaxCategories];
        new Span<float>(pad, 8 * k).Clear();
        new Span<float>(z + (long)full * k, left * k).CopyTo(new Span<float>(pad, 8 * k));
        for (int lane = 0; lane < 8; lane++) padTau[lane] = lane < left && rowTau != null ? rowTau[full + lane] : tau;
        int badTail = Group(pad, k, Vector256.Create(1f) / Avx.LoadVector256(padTau), columns, indices == null ? null : padIndex, padHot);
        if (badTail >= 0) return full + badTail; // the padding rows are finite: only a real row can be all masked
        new Span<float>(pad, left * k).CopyTo(new Span<float>(z + (long)full * k, left * k));
        if (indices != null)
        {
            new Span<int>(padIndex, left).CopyTo(new Span<int>(indices + full, left));
            new Span<float>(padHot, left * k).CopyTo(new Span<float>(oneHot + (long)full * k, left * k));
        }
        return -1;
    }

    /// <summary>Softmax of the eight rows at <paramref name="g"/>; returns the first all -infinity row of the group, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Group(float* g, int k, Vector256<float> invTau, float* columns, int* indices, float* oneHot)
    {
        // columns[8 j + lane] = row lane's category j.
        for (int b = 0; b < k; b += 8) Transposition.LoadColumns(g + Math.Min(b, k - 8), k, columns + 8 * Math.Min(b, k - 8));
        var max = Avx.LoadVector256(columns);
        var arg = Vector256<int>.Zero;
        for (int j = 1; j < k; j++)
        {
            var c = Avx.LoadVector256(columns + 8 * j);
            arg = Avx2.BlendVariable(arg, Vector256.Create(j), Avx.CompareGreaterThan(c, max).AsInt32());
            max = Avx.Max(max, c);
        }
        var masked = Vector256.Equals(max, Vector256.Create(float.NegativeInfinity));
        if (masked != Vector256<float>.Zero) return BitOperations.TrailingZeroCount(masked.ExtractMostSignificantBits());

        // e = exp((z - max) / tau): every exponent is <= 0, and the maximum's term is exactly 1, so the sum is >= 1.
        var sum = Vector256<float>.Zero;
        for (int j = 0; j < k; j++)
        {
            var e = VectorMath.ExpNonPositive((Avx.LoadVector256(columns + 8 * j) - max) * invTau);
            Avx.Store(columns + 8 * j, e);
            sum += e;
        }
        // y = e / sum, multiplied while transposing back (an overlapping block recomputes the same products).
        var inverse = Vector256.Create(1f) / sum;
        for (int b = 0; b < k; b += 8) Transposition.StoreColumns(columns + 8 * Math.Min(b, k - 8), inverse, g + Math.Min(b, k - 8), k);

        if (indices != null)
        {
            Avx.Store(indices, arg);
            new Span<float>(oneHot, 8 * k).Clear();
            for (int lane = 0; lane < 8; lane++) oneHot[lane * k + indices[lane]] = 1f;
        }
        return -1;
    }
}
