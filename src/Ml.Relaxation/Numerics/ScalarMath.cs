namespace Ml.Relaxation.Numerics;

/// <summary>
/// The scalar logistic sigmoid and softplus, written once for every caller, in forms that neither overflow nor lose
/// precision in the tails. (The eight-lane versions for the kernels are in <c>Relaxations/VectorMath</c>.)
/// </summary>
internal static class ScalarMath
{
    /// <summary><c>1 / (1 + exp(-x))</c>, from <c>exp(-|x|)</c> so that neither side overflows.</summary>
    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary><c>log(1 + exp(x))</c> as <c>max(x, 0) + log(1 + exp(-|x|))</c>: no overflow for large x.</summary>
    public static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    /// <summary>Single-precision <see cref="Softplus(double)"/>.</summary>
    public static float Softplus(float x) => MathF.Max(x, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));
}
