namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>The automatic L0 strength of a fit: the penalty, in nats, a slot must repay to stay open.</summary>
internal static class L0StrengthRule
{
    /// <summary>
    /// Effective parameters charged per open slot. The head gives each slot a row of first-layer weights, but its
    /// weight decay shrinks them, so a slot costs a few parameters rather than a row's worth; 2 keeps every fit of the
    /// measured data sets (10 to 500 slots, 70 to 1,000 rows per fit) from keeping noise slots, yet lets slots of
    /// modest effect in.
    /// </summary>
    public const float ParametersPerSlot = 2f;

    /// <summary>
    /// <c>2 (ln(n) / 2 + ln(p))</c> for a fit on <paramref name="rows"/> n rows and <paramref name="slots"/> p candidate
    /// slots: the extended BIC of Chen and Chen (2008, gamma = 1) per parameter, times <see cref="ParametersPerSlot"/>
    /// (rows counted as at least 2, so the strength is never 0).
    /// The ln(n) / 2 term is BIC's price of a parameter; the ln(p) term pays for choosing among p candidates, so a
    /// noise slot that fits the rows by chance, whose best gain grows with the number of candidates, still stays shut.
    /// </summary>
    public static float ExtendedBic(long rows, int slots) =>
        ParametersPerSlot * (0.5f * MathF.Log(Math.Max(rows, 2)) + MathF.Log(Math.Max(slots, 1)));
}
