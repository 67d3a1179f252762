using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ml.Relaxation.Engine;

/// <summary>
/// Small vector loops the layers and losses share. Reductions here add in an order fixed by the length alone (eight
/// lanes, then the lanes in order, then the tail), unlike library reductions that may start at an alignment boundary,
/// so a result never depends on where the data lies in memory.
/// </summary>
internal static class VectorLoops
{
    /// <summary>The sum of <paramref name="x"/>.</summary>
    public static float Sum(ReadOnlySpan<float> x)
    {
        ref float r = ref MemoryMarshal.GetReference(x);
        int i = 0;
        float s = 0f;
        if (Vector256.IsHardwareAccelerated && x.Length >= 8)
        {
            Vector256<float> acc = Vector256<float>.Zero;
            for (; i <= x.Length - 8; i += 8) acc += Vector256.LoadUnsafe(ref r, (nuint)i);
            for (int l = 0; l < 8; l++) s += acc.GetElement(l);
        }
        for (; i < x.Length; i++) s += Unsafe.Add(ref r, i);
        return s;
    }

    /// <summary>The dot product of <paramref name="x"/> and <paramref name="y"/> (same length), in the same fixed order as <see cref="Sum"/>.</summary>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        ref float rx = ref MemoryMarshal.GetReference(x), ry = ref MemoryMarshal.GetReference(y);
        int i = 0;
        float s = 0f;
        if (Vector256.IsHardwareAccelerated && x.Length >= 8)
        {
            Vector256<float> acc = Vector256<float>.Zero;
            for (; i <= x.Length - 8; i += 8) acc += Vector256.LoadUnsafe(ref rx, (nuint)i) * Vector256.LoadUnsafe(ref ry, (nuint)i);
            for (int l = 0; l < 8; l++) s += acc.GetElement(l);
        }
        for (; i < x.Length; i++) s += Unsafe.Add(ref rx, i) * Unsafe.Add(ref ry, i);
        return s;
    }

    /// <summary>dx = dy where y &gt; 0, else 0.</summary>
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        ref float ry = ref MemoryMarshal.GetReference(y), rdy = ref MemoryMarshal.GetReference(dy), rdx = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= y.Length - 8; i += 8)
            {
                Vector256<float> positive = Vector256.GreaterThan(Vector256.LoadUnsafe(ref ry, (nuint)i), Vector256<float>.Zero);
                (Vector256.LoadUnsafe(ref rdy, (nuint)i) & positive).StoreUnsafe(ref rdx, (nuint)i);
            }
        for (; i < y.Length; i++) Unsafe.Add(ref rdx, i) = Unsafe.Add(ref ry, i) > 0f ? Unsafe.Add(ref rdy, i) : 0f;
    }

    /// <summary>dx = dy * y * (1 - y) (sigmoid) or dy * (1 - y * y) (tanh).</summary>
    public static void SquashBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, bool tanh)
    {
        ref float ry = ref MemoryMarshal.GetReference(y), rdy = ref MemoryMarshal.GetReference(dy), rdx = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> one = Vector256<float>.One;
            for (; i <= y.Length - 8; i += 8)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref ry, (nuint)i), d = Vector256.LoadUnsafe(ref rdy, (nuint)i);
                (tanh ? d * (one - v * v) : d * v * (one - v)).StoreUnsafe(ref rdx, (nuint)i);
            }
        }
        for (; i < y.Length; i++)
        {
            float v = Unsafe.Add(ref ry, i), d = Unsafe.Add(ref rdy, i);
            Unsafe.Add(ref rdx, i) = tanh ? d * (1f - v * v) : d * v * (1f - v);
        }
    }
}
