using Ml.Relaxation.Data;

namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>
/// Hyperparameters of one fit of the gated selector model (the base procedure that stability selection repeats on
/// subsamples), validated by <see cref="Validate"/>. The ML.NET estimator fills these from its options; see
/// <c>GatedFeatureSelectorOptions</c> for the documented defaults.
/// </summary>
internal sealed record GatedSelectorSettings
{
    /// <summary>The task the head is trained on.</summary>
    public LabelTask Task { get; init; } = LabelTask.BinaryClassification;

    /// <summary>Classes for <see cref="LabelTask.MulticlassClassification"/> (at least 2); ignored otherwise.</summary>
    public int ClassCount { get; init; } = 2;

    /// <summary>Hidden layer sizes of the ReLU MLP head; empty for a linear head.</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [32];

    /// <summary>L0 strength lambda &gt; 0; the penalty added to the mean task loss is (lambda / N) E[L0].</summary>
    public float L0Strength { get; init; } = 20f;

    /// <summary>Epochs, at least 1.</summary>
    public int Epochs { get; init; } = 50;

    /// <summary>Rows per mini-batch, at least 1.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Adam learning rate of the head.</summary>
    public float LearningRate { get; init; } = 1e-2f;

    /// <summary>
    /// Decoupled (AdamW) weight decay of the head's weights and biases, per unit learning rate, &gt;= 0. It bounds the
    /// head's weights (at equilibrium about 1 / decay for a consistent gradient), so the head cannot memorize the
    /// training rows through noise slots, which would keep their gates open.
    /// </summary>
    public float HeadWeightDecay { get; init; } = 0.5f;

    /// <summary>Adam learning rate of log_alpha.</summary>
    public float GateLearningRate { get; init; } = 0.1f;

    /// <summary>Share of the epochs, in [0, 1), at the start during which only the head trains (gates stay at their initial value).</summary>
    public float GateWarmupFraction { get; init; } = 0.2f;

    /// <summary>Epochs of head-only warm-up: <see cref="GateWarmupFraction"/> of <see cref="Epochs"/>, rounded down.</summary>
    public int GateWarmupEpochs => (int)(GateWarmupFraction * Epochs);

    /// <summary>Initial keep probability p: log_alpha starts at log(p / (1 - p)). Default 0.7.</summary>
    public float InitialKeepProbability { get; init; } = 0.7f;

    /// <summary>Hard Concrete stretch lower bound gamma &lt; 0.</summary>
    public float Gamma { get; init; } = -0.1f;

    /// <summary>Hard Concrete stretch upper bound zeta &gt; 1.</summary>
    public float Zeta { get; init; } = 1.1f;

    /// <summary>Hard Concrete temperature beta &gt; 0.</summary>
    public float Temperature { get; init; } = 2f / 3f;

    /// <summary>Early stopping patience in epochs (needs validation rows), or null for none.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>Seed of initialization and gate noise.</summary>
    public ulong Seed { get; init; }

    /// <summary>Output columns of the head: the class count for multiclass, else 1.</summary>
    public int OutputCount => Task == LabelTask.MulticlassClassification ? ClassCount : 1;

    /// <summary>Checks every setting against <paramref name="featureCount"/> slots; the exception names the setting.</summary>
    public void Validate(int featureCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        if (!Enum.IsDefined(Task)) throw new ArgumentOutOfRangeException(nameof(Task), Task, "Expected a defined task.");
        if (Task == LabelTask.MulticlassClassification && ClassCount < 2)
            throw new ArgumentOutOfRangeException(nameof(ClassCount), ClassCount, "Expected at least 2 classes.");
        if (HiddenSizes is null) throw new ArgumentNullException(nameof(HiddenSizes), "Expected hidden sizes (empty for a linear head).");
        foreach (int h in HiddenSizes)
            if (h < 1) throw new ArgumentOutOfRangeException(nameof(HiddenSizes), h, "Expected every hidden size to be at least 1.");
        if (!(L0Strength > 0f) || !float.IsFinite(L0Strength))
            throw new ArgumentOutOfRangeException(nameof(L0Strength), L0Strength, "Expected a finite L0 strength > 0.");
        if (!(HeadWeightDecay >= 0f) || !float.IsFinite(HeadWeightDecay))
            throw new ArgumentOutOfRangeException(nameof(HeadWeightDecay), HeadWeightDecay, "Expected a finite weight decay >= 0.");
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Expected at least 1 epoch.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Expected at least 1 row per batch.");
        CheckPositive(LearningRate, nameof(LearningRate));
        CheckPositive(GateLearningRate, nameof(GateLearningRate));
        if (!(GateWarmupFraction >= 0f && GateWarmupFraction < 1f))
            throw new ArgumentOutOfRangeException(nameof(GateWarmupFraction), GateWarmupFraction, "Expected a fraction in [0, 1).");
        if (!(InitialKeepProbability > 0f && InitialKeepProbability < 1f))
            throw new ArgumentOutOfRangeException(nameof(InitialKeepProbability), InitialKeepProbability, "Expected a probability strictly between 0 and 1.");
        if (!(Gamma < 0f) || !float.IsFinite(Gamma)) throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "Expected a finite gamma < 0.");
        if (!(Zeta > 1f) || !float.IsFinite(Zeta)) throw new ArgumentOutOfRangeException(nameof(Zeta), Zeta, "Expected a finite zeta > 1.");
        CheckPositive(Temperature, nameof(Temperature));
        if (EarlyStoppingPatience is int p && p < 1)
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), p, "Expected a patience of at least 1 epoch, or null.");
    }

    private static void CheckPositive(float value, string name)
    {
        if (!(value > 0f) || !float.IsFinite(value)) throw new ArgumentOutOfRangeException(name, value, "Expected a finite value > 0.");
    }
}
