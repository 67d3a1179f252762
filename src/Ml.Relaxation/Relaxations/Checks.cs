using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ml.Relaxation.Relaxations;

/// <summary>Argument validation shared by the relaxations: every message names the parameter and what was expected.</summary>
internal static class Checks
{
    /// <summary>
    /// Whether <paramref name="tau"/> is a temperature the kernels can use: greater than 0, finite, and with a finite
    /// reciprocal. The samplers and backward passes scale by <c>1 / tau</c> in single precision, which overflows to
    /// infinity (and then gives NaN) below about 2.9e-39, a subnormal tau.
    /// </summary>
    public static bool IsValidTemperature(float tau) => tau > 0f && float.IsFinite(tau) && float.IsFinite(1f / tau);

    /// <summary>Throws unless <paramref name="tau"/> is a valid temperature (<see cref="IsValidTemperature"/>).</summary>
    public static void Temperature(float tau, string paramName = "tau")
    {
        if (!IsValidTemperature(tau))
            throw new ArgumentOutOfRangeException(paramName, tau, "The temperature must be a finite number of at least about 2.9e-39 (tau <= 0 and NaN have no relaxation, and below that 1/tau overflows; use Gumbel-Max for the tau -> 0 limit).");
    }

    /// <summary>Throws unless every element of <paramref name="tau"/> is a valid temperature and there is one per row.</summary>
    public static void Temperatures(ReadOnlySpan<float> tau, int rows, string paramName = "tau")
    {
        if (tau.Length != rows)
            throw new ArgumentException($"Expected one temperature per row ({rows}), got {tau.Length}.", paramName);
        for (int i = 0; i < tau.Length; i++)
        {
            float t = tau[i];
            if (!IsValidTemperature(t))
                throw new ArgumentOutOfRangeException(paramName, t, $"Temperature {i} must be a finite number of at least about 2.9e-39 (below that 1/tau overflows).");
        }
    }

    /// <summary>Returns the number of rows of a row-major <c>[rows x categories]</c> buffer, validating both.</summary>
    public static int Rows(int length, int categories, string lengthParam, string categoriesParam = "categories")
    {
        if (categories < 1)
            throw new ArgumentOutOfRangeException(categoriesParam, categories, "The number of categories must be at least 1.");
        if (length % categories != 0)
            throw new ArgumentException($"Length {length} is not a multiple of the number of categories ({categories}); expected a row-major [rows x {categories}] buffer.", lengthParam);
        return length / categories;
    }

    /// <summary>Throws unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
    public static void Length(int actual, int expected, string paramName)
    {
        if (actual != expected)
            throw new ArgumentException($"Expected length {expected}, got {actual}.", paramName);
    }

    /// <summary>
    /// Throws if any logit is NaN, or +infinity; -infinity (a masked category) is allowed only when
    /// <paramref name="allowNegativeInfinity"/> is set.
    /// </summary>
    public static void Logits(ReadOnlySpan<float> logits, string paramName, bool allowNegativeInfinity) =>
        Logits(logits, paramName, allowNegativeInfinity, categories: 0);

    /// <summary>
    /// As <see cref="Logits(ReadOnlySpan{float}, string, bool)"/> with masked categories allowed, and also throws for a row
    /// of <paramref name="categories"/> logits that are all -infinity, before the caller draws any random number.
    /// </summary>
    public static void MaskableLogitRows(ReadOnlySpan<float> logits, int categories, string paramName) =>
        Logits(logits, paramName, allowNegativeInfinity: true, categories);

    private static void Logits(ReadOnlySpan<float> logits, string paramName, bool allowNegativeInfinity, int categories)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Fast path: NaN fails x == x, and both infinities fail |x| < inf; only a bad vector is examined element-wise.
            var inf = Vector256.Create(float.PositiveInfinity);
            for (; i + 8 <= logits.Length; i += 8)
            {
                var v = Vector256.Create(logits.Slice(i, 8));
                if (!Vector256.LessThanAll(Vector256.Abs(v), inf)) break;
            }
        }
        int firstScalar = i;
        for (; i < logits.Length; i++)
        {
            float x = logits[i];
            if (float.IsNaN(x))
                throw new ArgumentException($"Logit {i} is NaN; logits must be numbers.", paramName);
            if (float.IsPositiveInfinity(x))
                throw new ArgumentException($"Logit {i} is +infinity; logits must be finite (or -infinity for a masked category).", paramName);
            if (float.IsNegativeInfinity(x) && !allowNegativeInfinity)
                throw new ArgumentException($"Logit {i} is -infinity; this operation needs finite logits.", paramName);
        }
        // Rows are searched for a finite logit only from the first vector with an infinity on (a batch without masked
        // categories never gets here before its end).
        if (categories > 0)
            for (int r = firstScalar / categories; r < logits.Length / categories; r++)
                if (!HasFinite(logits.Slice(r * categories, categories)))
                    ThrowAllMasked(r, paramName);
    }

    private static bool HasFinite(ReadOnlySpan<float> row)
    {
        foreach (float x in row)
            if (x > float.NegativeInfinity) return true;
        return false;
    }

    /// <summary>Throws if any element is NaN (infinities allowed).</summary>
    public static void NotNaN(ReadOnlySpan<float> values, string paramName)
    {
        for (int i = 0; i < values.Length; i++)
            if (float.IsNaN(values[i]))
                throw new ArgumentException($"Element {i} is NaN; expected numbers.", paramName);
    }

    /// <summary>Throws if an output buffer shares memory with another buffer of the same call.</summary>
    public static void NoOverlap<TOut, TIn>(Span<TOut> output, ReadOnlySpan<TIn> other, string outputName, string otherName)
    {
        if (output.IsEmpty || other.IsEmpty) return;
        ref byte o = ref Unsafe.As<TOut, byte>(ref MemoryMarshal.GetReference(output));
        ref byte i = ref Unsafe.As<TIn, byte>(ref MemoryMarshal.GetReference(other));
        long oBytes = (long)output.Length * Unsafe.SizeOf<TOut>(), iBytes = (long)other.Length * Unsafe.SizeOf<TIn>();
        long distance = (long)Unsafe.ByteOffset(ref o, ref i); // i - o
        if (distance < oBytes && -distance < iBytes)
            throw new ArgumentException($"{outputName} must not share memory with {otherName}: the sampler overwrites it with random draws before reading the other.", outputName);
    }

    /// <summary>Throws for a row whose categories are all masked.</summary>
    public static void ThrowAllMasked(int row, string paramName) =>
        throw new ArgumentException($"Row {row} has every category masked (-infinity); at least one logit per row must be finite.", paramName);
}
