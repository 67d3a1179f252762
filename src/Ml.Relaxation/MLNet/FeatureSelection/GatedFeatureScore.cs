namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>How strongly the gated selector rates one slot of the feature column.</summary>
/// <param name="SlotIndex">The slot's index in the feature column.</param>
/// <param name="SlotName">The slot's name, or an empty string when the column has no slot names.</param>
/// <param name="Score">
/// The selection frequency, in [0, 1]: the share of the stability fits that saw this slot in which its gate ended more
/// likely open than shut (P(z != 0) &gt; 1/2). A slot that matters scores high even when other slots carry the same
/// information; a noise slot scores near 0.
/// </param>
/// <param name="KeepProbability">The mean P(z != 0) over those fits; it orders slots of equal score.</param>
/// <param name="Rank">
/// 1 for the best slot: by score, then keep probability, then the lower index; or, when
/// <see cref="GatedSelectorStatistics.RankedBySubsetFrequency"/>, by <paramref name="SubsetFrequency"/> first. With k,
/// exactly the slots of rank 1 to k are kept.
/// </param>
/// <param name="IsKept">Whether the transformer keeps the slot.</param>
/// <param name="SubsetFrequency">
/// With k (less than the slot count): the share of the Concrete selector fits of the joint subset search that picked
/// this slot among their k (0 for slots outside the 2k best by score, which the search does not consider). Without k:
/// NaN.
/// </param>
public sealed record GatedFeatureScore(int SlotIndex, string SlotName, float Score, float KeepProbability, int Rank, bool IsKept,
    float SubsetFrequency);
