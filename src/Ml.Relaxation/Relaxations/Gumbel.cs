using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Relaxations;

/// <summary>
/// Standard Gumbel noise, <c>G = -log(-log U)</c> with <c>U</c> uniform on (0, 1): mean Euler's constant (0.5772...),
/// variance pi^2/6. The uniforms come from <see cref="RandomSource"/> and are never 0 or 1, so G is always finite.
/// </summary>
public static class Gumbel
{
    /// <summary>Fills <paramref name="destination"/> with independent Gumbel(0, 1) draws; consumes one draw per element.</summary>
    public static void Sample(RandomSource rng, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(rng);
        rng.NextUniforms(destination);
        ElementMath.UniformToGumbel(destination);
    }
}
