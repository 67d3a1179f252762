using System.Numerics.Tensors;

namespace Ml.Relaxation.Relaxations;

/// <summary>
/// The element-wise transforms of uniforms that every relaxation needs, in one place (vectorized).
/// Inputs are uniforms strictly inside (0, 1) from <see cref="Randomness.RandomSource"/>, so every log is finite.
/// </summary>
internal static class ElementMath
{
    /// <summary>Gumbel(0, 1) noise in place: <c>g = -log(-log u)</c>.</summary>
    public static void UniformToGumbel(Span<float> values)
    {
        TensorPrimitives.Log(values, values);
        TensorPrimitives.Negate(values, values);
        TensorPrimitives.Log(values, values);
        TensorPrimitives.Negate(values, values);
    }

    /// <summary>Standard logistic noise in place: <c>l = log u - log(1 - u) = log(u / (1 - u))</c>.</summary>
    public static void UniformToLogistic(Span<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            float u = values[i];
            values[i] = u / (1f - u);
        }
        TensorPrimitives.Log(values, values);
    }
}
