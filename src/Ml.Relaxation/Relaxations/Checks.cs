using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ml.Relaxation.Relaxations;

/// <summary>Argument validation shared by the relaxations: every message names the parameter and what was expected.</summary>
internal static class Checks
{
    /// <summary>Throws unless <paramref name="tau"/> is a finite number greater than 0.</summary>
    public static void Temperature(float tau, string paramName = "tau")
    {
        if (!(tau > 0f) || float.IsPositiveInfinity(tau))
            throw new ArgumentOutOfRangeException(paramName, tau, "The temperature must be a finite number greater than 0 (tau <= 0 and NaN have no relaxation; use Gumbel-Max for the tau -> 0 limit).");
    }

    /// <summary>Throws unless every element of <paramref name="tau"/> is a finite number greater than 0 and there is one per row.</summary>
    public static void Temperatures(ReadOnlySpan<float> tau, int rows, string paramName = "tau")
    {
        if (tau.Length != rows)
            throw new ArgumentException($"Expected one temperature per row ({rows}), got {tau.Length}.", paramName);
        for (int i = 0; i < tau.Length; i++)
        {
            float t = tau[i];
            if (!(t > 0f) || float.IsPositiveInfinity(t))
                throw new ArgumentOutOfRangeException(paramName, t, $"Temperature {i} must be a finite number greater than 0.");
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
    public static void Logits(ReadOnlySpan<float> logits, string paramName, bool allowNegativeInfinity)
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
