using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ml.Relaxation.Relaxations;

/// <summary>An element-wise function of one vector of eight lanes (the <c>TensorPrimitives</c> operator pattern).</summary>
internal interface IUnaryLanes
{
    Vector256<float> Invoke(Vector256<float> x);
}

/// <summary>An element-wise function of two vectors of eight lanes.</summary>
internal interface IBinaryLanes
{
    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);
}

/// <summary>An element-wise function of two vectors with a second result, e.g. a derivative.</summary>
internal interface IBinaryLanesWithSecond
{
    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, out Vector256<float> second);
}

/// <summary>
/// The one loop that applies an operator struct over spans: whole vectors of eight, then the tail of fewer than eight
/// through the same lane code in a padded vector. So every kernel has the same tested vector and tail handling, and
/// an element's value never depends on where a batch was cut. Padding lanes hold 0.5 (the first input) and 0 (the
/// second), harmless inputs for every operator here; their results are discarded.
/// </summary>
/// <remarks>
/// The loops are not inlined into their callers: each is compiled once per operator type, with the operator's
/// (aggressively inlined) body inside the loop. Inlining the loop as well left the operator's long body out of the
/// loop when the JIT's inlining budget ran out.
/// </remarks>
internal static class ElementLoop
{
    /// <summary><c>values[i] = op(values[i])</c>.</summary>
    public static void Apply<TOp>(Span<float> values, TOp op) where TOp : struct, IUnaryLanes
    {
        ref float v = ref MemoryMarshal.GetReference(values);
        int n = values.Length, full = n & ~7;
        for (int i = 0; i < full; i += 8)
            op.Invoke(Vector256.LoadUnsafe(ref v, (nuint)i)).StoreUnsafe(ref v, (nuint)i);
        if (full < n) Tail(values[full..], op);
    }

    /// <summary><c>y[i] = op(y[i], x[i])</c>: <paramref name="y"/> is both the first input and the output.</summary>
    public static void Apply<TOp>(Span<float> y, ReadOnlySpan<float> x, TOp op) where TOp : struct, IBinaryLanes
    {
        ref float v = ref MemoryMarshal.GetReference(y);
        ref float w = ref MemoryMarshal.GetReference(x);
        int n = y.Length, full = n & ~7;
        for (int i = 0; i < full; i += 8)
            op.Invoke(Vector256.LoadUnsafe(ref v, (nuint)i), Vector256.LoadUnsafe(ref w, (nuint)i)).StoreUnsafe(ref v, (nuint)i);
        if (full < n) Tail(y[full..], x[full..n], op);
    }

    /// <summary>
    /// <c>y[i] = op(y[i], x[i], out second[i])</c>; <paramref name="second"/> may be empty to drop the second result.
    /// </summary>
    public static void Apply<TOp>(Span<float> y, ReadOnlySpan<float> x, Span<float> second, TOp op) where TOp : struct, IBinaryLanesWithSecond
    {
        ref float v = ref MemoryMarshal.GetReference(y);
        ref float w = ref MemoryMarshal.GetReference(x);
        ref float s = ref MemoryMarshal.GetReference(second);
        bool keep = !second.IsEmpty;
        int n = y.Length, full = n & ~7;
        for (int i = 0; i < full; i += 8)
        {
            op.Invoke(Vector256.LoadUnsafe(ref v, (nuint)i), Vector256.LoadUnsafe(ref w, (nuint)i), out var d).StoreUnsafe(ref v, (nuint)i);
            if (keep) d.StoreUnsafe(ref s, (nuint)i);
        }
        if (full < n) Tail(y[full..], x[full..n], keep ? second[full..n] : default, op);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Tail<TOp>(Span<float> values, TOp op) where TOp : struct, IUnaryLanes
    {
        Span<float> pad = stackalloc float[8];
        pad.Fill(0.5f);
        values.CopyTo(pad);
        op.Invoke(Vector256.Create((ReadOnlySpan<float>)pad)).CopyTo(pad);
        pad[..values.Length].CopyTo(values);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Tail<TOp>(Span<float> y, ReadOnlySpan<float> x, TOp op) where TOp : struct, IBinaryLanes
    {
        Span<float> py = stackalloc float[8], px = stackalloc float[8];
        py.Fill(0.5f);
        px.Clear();
        y.CopyTo(py);
        x.CopyTo(px);
        op.Invoke(Vector256.Create((ReadOnlySpan<float>)py), Vector256.Create((ReadOnlySpan<float>)px)).CopyTo(py);
        py[..y.Length].CopyTo(y);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Tail<TOp>(Span<float> y, ReadOnlySpan<float> x, Span<float> second, TOp op) where TOp : struct, IBinaryLanesWithSecond
    {
        Span<float> py = stackalloc float[8], px = stackalloc float[8], ps = stackalloc float[8];
        py.Fill(0.5f);
        px.Clear();
        y.CopyTo(py);
        x.CopyTo(px);
        op.Invoke(Vector256.Create((ReadOnlySpan<float>)py), Vector256.Create((ReadOnlySpan<float>)px), out var d).CopyTo(py);
        d.CopyTo(ps);
        py[..y.Length].CopyTo(y);
        if (!second.IsEmpty) ps[..y.Length].CopyTo(second);
    }
}
