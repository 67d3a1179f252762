using Ml.Relaxation.Models.GatedSelection;

namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>The stages of a gated selector fit.</summary>
public enum GatedSelectionStage
{
    /// <summary>The stability-selection fits on half-samples and slot groups, which score the slots.</summary>
    StabilityFits,

    /// <summary>The final fit on the kept slots over all training rows.</summary>
    FinalFit,
}

/// <summary>A progress report of a gated selector fit.</summary>
/// <param name="Stage">The stage running.</param>
/// <param name="Completed">Stability fits done, or epochs of the final fit done.</param>
/// <param name="Total">Stability fits in all, or epochs of the final fit.</param>
/// <param name="Epoch">The final fit's epoch just completed; null during <see cref="GatedSelectionStage.StabilityFits"/>.</param>
public sealed record GatedSelectionProgress(GatedSelectionStage Stage, int Completed, int Total, GatedSelectionEpoch? Epoch);
