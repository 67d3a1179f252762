namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>What one fit of the gated selector model learned (see <see cref="GatedSelectorTrainer.Train"/>).</summary>
internal sealed class GatedFitResult
{
    public GatedFitResult(float[] logAlpha, float[] probabilityNonZero, float[] testTimeGates, IReadOnlyList<GatedSelectionEpoch> history,
        bool stoppedEarly, double trainingTaskLoss, double holdoutTaskLoss)
    {
        LogAlpha = logAlpha;
        ProbabilityNonZero = probabilityNonZero;
        TestTimeGates = testTimeGates;
        History = history;
        StoppedEarly = stoppedEarly;
        TrainingTaskLoss = trainingTaskLoss;
        HoldoutTaskLoss = holdoutTaskLoss;
    }

    /// <summary>Learned log_alpha per slot.</summary>
    public float[] LogAlpha { get; }

    /// <summary>P(z != 0) per slot.</summary>
    public float[] ProbabilityNonZero { get; }

    /// <summary>Deterministic test-time gate per slot.</summary>
    public float[] TestTimeGates { get; }

    /// <summary>Sum over slots of P(z != 0).</summary>
    public float ExpectedL0 => ProbabilityNonZero.Sum();

    /// <summary>Slots selected by this fit: P(z != 0) &gt; 1/2, i.e. the gate is more likely open than shut.</summary>
    public int SelectedCount => ProbabilityNonZero.Count(p => p > 0.5f);

    /// <summary>One entry per epoch run.</summary>
    public IReadOnlyList<GatedSelectionEpoch> History { get; }

    /// <summary>Whether early stopping ended training (the best validated epoch's parameters were restored).</summary>
    public bool StoppedEarly { get; }

    /// <summary>Mean task loss (no penalty) with the test-time gates on the training rows after training.</summary>
    public double TrainingTaskLoss { get; }

    /// <summary>The same on the held-out rows given to the fit, or NaN when none were given.</summary>
    public double HoldoutTaskLoss { get; }
}
