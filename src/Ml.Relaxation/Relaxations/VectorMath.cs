using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Ml.Relaxation.Relaxations;

/// <summary>
/// Eight-lane log, exp and sigmoid for the sampling kernels (Cephes single-precision algorithms, written with the
/// portable <see cref="Vector256"/> API so they run everywhere and are hardware-accelerated with AVX2).
/// </summary>
/// <remarks>
/// Accuracy, measured against double precision over the kernels' domains (see VectorMathTests): <see cref="Log"/> within
/// 2 ulp for positive normal inputs; <see cref="ExpNonPositive"/> within 2 ulp on [-87.3, 0] and exactly 0 below
/// (denormal results are flushed to 0, and -infinity gives 0, which a masked category needs). Every element is computed
/// by the same lane code whatever its position, so results do not depend on how a batch is split.
/// </remarks>
internal static class VectorMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

    /// <summary>
    /// Natural log of positive normal floats (Cephes logf: mantissa reduced to [sqrt(1/2), sqrt(2)), degree-8 polynomial,
    /// evaluated by Estrin's scheme with fused multiply-adds to shorten the dependency chain).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log(Vector256<float> x)
    {
        // x = m * 2^e with m in [sqrt(1/2), sqrt(2)): offsetting the bits by those of sqrt(1/2) before splitting them moves
        // the exponent boundary there, so no compare-and-select is needed.
        var offset = x.AsInt32() - Vector256.Create(0x3F3504F3);
        var ef = Vector256.ConvertToSingle(Vector256.ShiftRightArithmetic(offset, 23));
        var m = ((offset & Vector256.Create(0x007FFFFF)) + Vector256.Create(0x3F3504F3)).AsSingle();
        var f = m - Vector256.Create(1f);
        var f2 = f * f;
        var f4 = f2 * f2;
        var q01 = Fma(Vector256.Create(7.0376836292E-2f), f, Vector256.Create(-1.1514610310E-1f));
        var q23 = Fma(Vector256.Create(1.1676998740E-1f), f, Vector256.Create(-1.2420140846E-1f));
        var q45 = Fma(Vector256.Create(1.4249322787E-1f), f, Vector256.Create(-1.6668057665E-1f));
        var q67 = Fma(Vector256.Create(2.0000714765E-1f), f, Vector256.Create(-2.4999993993E-1f));
        var r0 = Fma(q01, f2, q23);
        var r1 = Fma(q45, f2, q67);
        var p = Fma(Fma(r0, f4, r1), f, Vector256.Create(3.3333331174E-1f));
        var y = p * f * f2;
        y = Fma(ef, Vector256.Create(-2.12194440e-4f), y);
        y = Fma(f2, Vector256.Create(-0.5f), y);
        return Fma(ef, Vector256.Create(0.693359375f), f + y);
    }

    /// <summary>exp(x) for x &lt;= 0 (Cephes expf: Cody-Waite reduction by ln 2, degree-5 polynomial); 0 below -87.33.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ExpNonPositive(Vector256<float> x)
    {
        var underflow = Vector256.LessThan(x, Vector256.Create(-87.33f));
        x = Vector256.Max(x, Vector256.Create(-87.33f));
        var fx = Vector256.Floor(Fma(x, Vector256.Create(1.44269504088896341f), Vector256.Create(0.5f)));
        var r = Fma(fx, Vector256.Create(2.12194440e-4f), Fma(fx, Vector256.Create(-0.693359375f), x));
        var r2 = r * r;
        var a = Fma(Vector256.Create(1.9875691500E-4f), r, Vector256.Create(1.3981999507E-3f));
        var b = Fma(Vector256.Create(8.3334519073E-3f), r, Vector256.Create(4.1665795894E-2f));
        var c = Fma(Vector256.Create(1.6666665459E-1f), r, Vector256.Create(5.0000001201E-1f));
        var p = Fma(Fma(a, r2, b), r2, c);
        var y = Fma(p, r2, r + Vector256.Create(1f));
        var pow2 = Vector256.ShiftLeft(Vector256.ConvertToInt32(fx) + Vector256.Create(127), 23).AsSingle();
        return Vector256.ConditionalSelect(underflow, Vector256<float>.Zero, y * pow2);
    }

    /// <summary>
    /// The logistic sigmoid and its derivative <c>s (1 - s)</c>, both from <c>e = exp(-|t|)</c> so neither overflows nor
    /// cancels: <c>s = 1 / (1 + e)</c> for t &gt;= 0, <c>e / (1 + e)</c> otherwise; <c>s (1 - s) = e / (1 + e)^2</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> t, out Vector256<float> derivative)
    {
        var e = ExpNonPositive(-Vector256.Abs(t));
        var inv = Vector256.Create(1f) / (Vector256.Create(1f) + e);
        derivative = e * inv * inv;
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(t, Vector256<float>.Zero), inv, e * inv);
    }

    /// <summary>Logistic noise from uniforms in (0, 1): <c>log(u / (1 - u))</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Logistic(Vector256<float> u) => Log(u / (Vector256.Create(1f) - u));
}
