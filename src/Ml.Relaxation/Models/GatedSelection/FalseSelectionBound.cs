namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>
/// The error control of stability selection: a bound on E[V], the expected number of noise slots whose selection
/// frequency reaches a threshold tau &gt; 1/2.
/// </summary>
/// <remarks>
/// <para>
/// Meinshausen and Buhlmann (2010, Theorem 1) bound E[V] &lt;= q^2 / ((2 tau - 1) p) for p variables and a base procedure
/// selecting q of them on average, assuming the noise variables are exchangeable and the procedure is no worse than
/// random guessing; Shah and Samworth (2013) show the same bound for complementary pairs of half-samples. Their proof
/// bounds P(frequency_j &gt;= tau) by E[both halves of a pair select j] / (2 tau - 1), which for a pair that sees the
/// same random group of p / G slots is E[p_j(C)^2] / (2 tau - 1), where p_j(C) &lt;= q_C / (p / G) is the selection
/// probability of slot j among the group's slots under the same two assumptions. Summing over at most p noise slots
/// gives E[V] &lt;= G^2 E[q^2] / ((2 tau - 1) p), with q the number selected per fit: the classic bound when G = 1
/// (with E[q^2] in place of q^2, which is not smaller).
/// </para>
/// <para>
/// The bound is conservative, and it rests on the two assumptions above; it is a guide to how many noise slots a
/// threshold lets through, not a guarantee for every data set.
/// </para>
/// </remarks>
internal static class FalseSelectionBound
{
    /// <summary>The lowest threshold used, as recommended by Meinshausen and Buhlmann (results vary little in [0.6, 0.9]).</summary>
    public const float MinThreshold = 0.6f;

    /// <summary>The highest threshold used.</summary>
    public const float MaxThreshold = 0.9f;

    /// <summary>The bound E[(G q)^2] / ((2 tau - 1) p) for threshold <paramref name="threshold"/>; +infinity for tau &lt;= 1/2.</summary>
    public static double ExpectedFalseSelections(double meanSquaredGroupsTimesSelected, int slotCount, double threshold) =>
        threshold > 0.5 ? meanSquaredGroupsTimesSelected / ((2 * threshold - 1) * slotCount) : double.PositiveInfinity;

    /// <summary>
    /// The smallest threshold whose bound is at most <paramref name="target"/>, within [<see cref="MinThreshold"/>,
    /// <see cref="MaxThreshold"/>] (so the bound at the returned threshold can exceed the target when the data has few slots).
    /// </summary>
    public static float Threshold(double meanSquaredGroupsTimesSelected, int slotCount, double target)
    {
        if (!(target > 0)) throw new ArgumentOutOfRangeException(nameof(target), target, "Expected a target > 0.");
        double tau = 0.5 * (1 + meanSquaredGroupsTimesSelected / (slotCount * target));
        return (float)Math.Clamp(tau, MinThreshold, MaxThreshold);
    }
}
