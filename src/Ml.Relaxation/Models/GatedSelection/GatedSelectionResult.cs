namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>What training the gated selector produced.</summary>
public sealed class GatedSelectionResult
{
    internal GatedSelectionResult(float[] logAlpha, float[] probabilityNonZero, float[] testTimeGates, float expectedL0,
        int[] keptSlots, float[] gates, IReadOnlyList<GatedSelectionEpoch> history, bool stoppedEarly)
    {
        LogAlpha = logAlpha;
        ProbabilityNonZero = probabilityNonZero;
        TestTimeGates = testTimeGates;
        ExpectedL0 = expectedL0;
        KeptSlots = keptSlots;
        Gates = gates;
        History = history;
        StoppedEarly = stoppedEarly;
    }

    /// <summary>Learned log_alpha per slot.</summary>
    public IReadOnlyList<float> LogAlpha { get; }

    /// <summary>P(z != 0) per slot.</summary>
    public IReadOnlyList<float> ProbabilityNonZero { get; }

    /// <summary>Deterministic test-time gate per slot (before the final selection).</summary>
    public IReadOnlyList<float> TestTimeGates { get; }

    /// <summary>Sum over slots of P(z != 0).</summary>
    public float ExpectedL0 { get; }

    /// <summary>Kept slot indices, ascending.</summary>
    public IReadOnlyList<int> KeptSlots { get; }

    /// <summary>The final gate per slot: 0 for dropped slots (see <see cref="GateSelection.Select"/>).</summary>
    public IReadOnlyList<float> Gates { get; }

    /// <summary>One entry per epoch run.</summary>
    public IReadOnlyList<GatedSelectionEpoch> History { get; }

    /// <summary>Whether early stopping ended training (the best validated epoch's parameters were restored).</summary>
    public bool StoppedEarly { get; }
}
