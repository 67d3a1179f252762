namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>What <see cref="StabilitySelection"/> measured, per slot and over all fits.</summary>
/// <param name="SelectionFrequency">Per slot: the share of the fits that saw the slot in which it was selected (P(z != 0) &gt; 1/2).</param>
/// <param name="KeepProbability">Per slot: the mean P(z != 0) over the fits that saw it (breaks ties in the frequency).</param>
/// <param name="FitsSeen">Per slot: the number of fits that saw it (2 per round).</param>
/// <param name="FitCount">Fits run: rounds x slot groups x 2.</param>
/// <param name="Rounds">Rounds of complementary half-sample pairs.</param>
/// <param name="SlotGroups">Slot groups per round (the requested count, capped at the slot count).</param>
/// <param name="MeanSelected">Mean number of slots selected per fit (q).</param>
/// <param name="MeanSquaredSelected">Mean over fits of the squared number of slots selected, the E[q^2] of the error bound.</param>
/// <param name="MeanSquaredGroupsTimesSelected">Mean over fits of (G q)^2, with G the slot groups of the fit's round: the error bound's numerator.</param>
/// <param name="MeanTrainingLoss">Mean over fits of the task loss on the fit's own rows (test-time gates).</param>
/// <param name="MeanHoldoutLoss">Mean over fits of the task loss on the fit's complementary half (test-time gates).</param>
internal sealed record StabilityScores(
    float[] SelectionFrequency, float[] KeepProbability, int[] FitsSeen, int FitCount, int Rounds, int SlotGroups,
    double MeanSelected, double MeanSquaredSelected, double MeanSquaredGroupsTimesSelected, double MeanTrainingLoss, double MeanHoldoutLoss)
{
    /// <summary>Slot count.</summary>
    public int SlotCount => SelectionFrequency.Length;
}
