namespace Ml.Relaxation.Relaxations;

/// <summary>Conversions from probabilities to the logits the samplers take, with validation.</summary>
public static class Probabilities
{
    /// <summary>
    /// Categorical logits <c>log p</c> (not normalized again; a probability of 0 becomes <c>-infinity</c>, a masked
    /// category). Each probability must lie in [0, 1].
    /// </summary>
    /// <param name="probabilities">Probabilities, any shape.</param>
    /// <param name="logits">Output, same length.</param>
    public static void ToLogits(ReadOnlySpan<float> probabilities, Span<float> logits)
    {
        Checks.Length(logits.Length, probabilities.Length, nameof(logits));
        for (int i = 0; i < probabilities.Length; i++)
            logits[i] = MathF.Log(Check(probabilities[i], i, nameof(probabilities)));
    }

    /// <summary>Bernoulli logits <c>log p - log(1 - p)</c> (0 and 1 become -infinity and +infinity). Each probability must lie in [0, 1].</summary>
    /// <param name="probabilities">Probabilities of 1.</param>
    /// <param name="logits">Output, same length.</param>
    public static void ToBernoulliLogits(ReadOnlySpan<float> probabilities, Span<float> logits)
    {
        Checks.Length(logits.Length, probabilities.Length, nameof(logits));
        for (int i = 0; i < probabilities.Length; i++)
        {
            double p = Check(probabilities[i], i, nameof(probabilities));
            logits[i] = (float)(Math.Log(p) - Math.Log(1 - p));
        }
    }

    private static float Check(float p, int index, string paramName) =>
        p >= 0f && p <= 1f ? p : throw new ArgumentOutOfRangeException(paramName, p, $"Probability {index} must lie in [0, 1].");
}
