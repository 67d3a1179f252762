namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>The gate value the fitted transformer multiplies a kept slot by.</summary>
public enum KeptGateValue
{
    /// <summary>Exactly 1: kept slots pass through unchanged, so the downstream model sees the original values.</summary>
    One,

    /// <summary>
    /// The paper's deterministic test-time gate <c>min(1, max(0, sigmoid(log_alpha)(zeta - gamma) + gamma))</c>, in (0, 1],
    /// applied to the original (not standardized) values.
    /// </summary>
    TestTimeGate,
}
