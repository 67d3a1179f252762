using Ml.Relaxation.Models.GatedSelection;

namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>The stages of a gated selector fit.</summary>
public enum GatedSelectionStage
{
    /// <summary>The stability-selection fits on half-samples and slot groups, which score the slots.</summary>
    StabilityFits,

    /// <summary>The final fit on the kept slots over all training rows.</summary>
    FinalFit,

    /// <summary>
    /// With k only (between the other two stages): the Concrete selector fits that look for k slots that predict well
    /// together, then the head-only fits that compare them with the k best by score on held-out rows: 6 x
    /// <see cref="GatedFeatureSelectorOptions.StabilityRounds"/> fits in all.
    /// </summary>
    JointSubsetFits,
}

/// <summary>A progress report of a gated selector fit.</summary>
/// <param name="Stage">The stage running.</param>
/// <param name="Completed">Fits of the stage done, or epochs of the final fit done.</param>
/// <param name="Total">Fits of the stage in all, or epochs of the final fit.</param>
/// <param name="Epoch">The final fit's epoch just completed; null in the other stages.</param>
public sealed record GatedSelectionProgress(GatedSelectionStage Stage, int Completed, int Total, GatedSelectionEpoch? Epoch);
