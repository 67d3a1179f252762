namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>What the fitted gated selector writes to its output column.</summary>
/// <remarks>
/// Both modes keep the input's slot names and do not mark the output as normalized. A pipeline containing the selector
/// exports to ONNX with <c>mlContext.Relaxation().ConvertToOnnx</c> (ML.NET's plain <c>ConvertToOnnx</c> refuses it).
/// </remarks>
public enum GatedOutputMode
{
    /// <summary>
    /// Only the kept slots, in their original order, with their slot names (like ML.NET's other feature selectors);
    /// values pass through times their gate, a NaN or infinity included, and dropped slots do not matter.
    /// </summary>
    KeptSlots,

    /// <summary>
    /// A vector of the input's size: kept slots times their gate, every dropped slot exactly 0 whatever the input
    /// (NaN and infinity included). Every NaN becomes 0, in a kept slot too (ML.NET's built-in transformers, which hold
    /// the gates, have no per-slot select); use <see cref="KeptSlots"/> to keep NaN for a downstream model.
    /// </summary>
    GatedVector,
}
