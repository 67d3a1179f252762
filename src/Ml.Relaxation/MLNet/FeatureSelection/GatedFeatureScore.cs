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
/// <param name="Rank">1 for the best slot: by score, then keep probability, then the lower index.</param>
/// <param name="IsKept">Whether the transformer keeps the slot.</param>
public sealed record GatedFeatureScore(int SlotIndex, string SlotName, float Score, float KeepProbability, int Rank, bool IsKept);
