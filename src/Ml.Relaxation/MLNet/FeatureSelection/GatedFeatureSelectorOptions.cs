using Ml.Relaxation.Models.GatedSelection;

namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>
/// Every knob of the gated (Hard Concrete, L0) feature selector, with its default. Used by
/// <see cref="RelaxationCatalog.SelectFeaturesWithGates(GatedFeatureSelectorOptions)"/>.
/// </summary>
/// <remarks>
/// One Hard Concrete gate per slot of the feature vector is trained jointly with a small predictor (the head) on the
/// label, minimizing <c>task loss + (L0Strength / N) * E[L0]</c>, where N is the number of training rows and
/// <c>E[L0] = sum_j P(z_j != 0)</c> (Louizos, Welling and Kingma 2018). Features are standardized internally for
/// training; the fitted transformer applies the gates to the original values.
/// </remarks>
public sealed class GatedFeatureSelectorOptions
{
    /// <summary>The input column: a known-size vector of <see cref="float"/>. Default <c>"Features"</c>.</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>
    /// The label column: <see cref="bool"/> for binary classification, a key type for multiclass, <see cref="float"/>
    /// or <see cref="double"/> for regression. Default <c>"Label"</c>.
    /// </summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The output column; <c>null</c> (default) replaces the feature column.</summary>
    public string? OutputColumnName { get; set; }

    /// <summary>
    /// The task; <c>null</c> (default) infers it from the label type: <see cref="bool"/> -> binary, key -> multiclass,
    /// <see cref="float"/>/<see cref="double"/> -> regression.
    /// </summary>
    public GatedSelectionTask? Task { get; set; }

    /// <summary>
    /// Hidden layer sizes of the head (ReLU MLP); empty for a linear head. Default <c>[32]</c>: one hidden layer, so
    /// non-linear relevance (interactions) is detectable.
    /// </summary>
    public int[] HiddenSizes { get; set; } = [32];

    /// <summary>
    /// The sparsity target as a maximum number of kept slots k (1 to the slot count), or <c>null</c> (default) to
    /// keep every slot whose test-time gate is not 0. With k, training uses the <see cref="L0Strength"/> penalty and a
    /// final deterministic selection keeps the at most k slots of highest P(z != 0) (ties to the lower index); every
    /// other gate is exactly 0.
    /// </summary>
    public int? MaximumFeatureCount { get; set; }

    /// <summary>
    /// The L0 strength lambda &gt;= 0 (&gt; 0 with k): the penalty weight per expected open gate is lambda / N, so a
    /// slot is worth keeping when it lowers the task loss summed over the N training rows by more than about lambda.
    /// With k this is only the starting weight: it is then adapted so that about k gates stay open. Default 20.
    /// </summary>
    public float L0Strength { get; set; } = 20f;

    /// <summary>What the output column holds. Default <see cref="GatedOutputMode.KeptSlots"/>.</summary>
    public GatedOutputMode OutputMode { get; set; } = GatedOutputMode.KeptSlots;

    /// <summary>The value a kept slot is multiplied by. Default <see cref="KeptGateValue.One"/> (original values pass through).</summary>
    public KeptGateValue KeptGateValue { get; set; } = KeptGateValue.One;

    /// <summary>Passes over the training rows, at least 1. Default 50.</summary>
    public int Epochs { get; set; } = 50;

    /// <summary>Rows per mini-batch, at least 1. Default 128.</summary>
    public int BatchSize { get; set; } = 128;

    /// <summary>Adam learning rate of the head, &gt; 0. Default 0.01.</summary>
    public float LearningRate { get; set; } = 1e-2f;

    /// <summary>Adam learning rate of the gates' log_alpha, &gt; 0; larger than the head's so gates settle within few epochs. Default 0.1.</summary>
    public float GateLearningRate { get; set; } = 0.1f;

    /// <summary>
    /// Share of the epochs at the start, in [0, 1), during which only the head trains while the gates stay at their
    /// initial keep probability (still sampled), so that slots relevant only through interactions are learned before
    /// the gates compete. Default 0.2.
    /// </summary>
    public float GateWarmupFraction { get; set; } = 0.2f;

    /// <summary>
    /// The initial keep probability p in (0, 1): every log_alpha starts at log(p / (1 - p)) (the convention of the
    /// reference code). Default 0.7: gates start open enough that the head-only warm-up sees slots together (needed
    /// for interactions), but nearer undecided than 0.9, where the task gradient moves log_alpha more before the
    /// penalty pushes every gate shut together (measured in docs/benchmarks.md, "Gated feature selector").
    /// </summary>
    public float InitialKeepProbability { get; set; } = 0.7f;

    /// <summary>Hard Concrete stretch lower bound gamma &lt; 0. Default -0.1 (fixed in the paper).</summary>
    public float Gamma { get; set; } = -0.1f;

    /// <summary>Hard Concrete stretch upper bound zeta &gt; 1. Default 1.1 (fixed in the paper).</summary>
    public float Zeta { get; set; } = 1.1f;

    /// <summary>Hard Concrete temperature beta &gt; 0. Default 2/3 (fixed in the paper).</summary>
    public float Temperature { get; set; } = 2f / 3f;

    /// <summary>Fraction of rows held out to report a validation loss per epoch (and for early stopping), in [0, 1). Default 0.1.</summary>
    public float ValidationFraction { get; set; } = 0.1f;

    /// <summary>
    /// Stop after this many epochs without a better validation loss and restore the best epoch's parameters; 0
    /// (default) disables early stopping (the validation loss rises as the penalty closes gates, which is intended).
    /// </summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>Seed of the shuffling, initialization and gate noise; <c>null</c> (default) draws one from the <c>MLContext</c>'s seed.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// <c>false</c> (default): a row with a NaN or infinite feature or label is an error. <c>true</c>: such rows are
    /// skipped and their count is logged and reported by <see cref="GatedFeatureSelectorTransformer.SkippedRows"/>.
    /// </summary>
    public bool SkipRowsWithMissingValues { get; set; }

    /// <summary>Receives one report per epoch; <c>null</c> (default) for none. Also logged to <c>MLContext.Log</c>.</summary>
    public IProgress<GatedSelectionEpoch>? Progress { get; set; }

    /// <summary>Cancels <c>Fit</c> between mini-batches (throws <see cref="OperationCanceledException"/>). Default none.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>An independent copy (arrays copied too), so an estimator is not changed by later edits to these options.</summary>
    internal GatedFeatureSelectorOptions Clone()
    {
        var copy = (GatedFeatureSelectorOptions)MemberwiseClone();
        copy.HiddenSizes = HiddenSizes is null ? null! : [.. HiddenSizes];
        return copy;
    }
}
