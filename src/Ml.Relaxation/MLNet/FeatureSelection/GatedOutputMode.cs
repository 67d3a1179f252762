namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>What the fitted gated selector writes to its output column.</summary>
public enum GatedOutputMode
{
    /// <summary>Only the kept slots, in their original order, with their slot names (like ML.NET's other feature selectors).</summary>
    KeptSlots,

    /// <summary>A vector of the input's size: kept slots times their gate, every dropped slot exactly 0.</summary>
    GatedVector,
}
