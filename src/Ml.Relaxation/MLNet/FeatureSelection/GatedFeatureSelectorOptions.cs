using Ml.Relaxation.Data;
using Ml.Relaxation.Models.GatedSelection;

namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>
/// Every knob of the gated (Hard Concrete, L0) feature selector, with its default. Used by
/// <see cref="RelaxationCatalog.SelectFeaturesWithGates(GatedFeatureSelectorOptions)"/>. The defaults need no tuning;
/// each option says when to change it.
/// </summary>
/// <remarks>
/// <para>
/// <b>How slots are scored.</b> The base procedure is one fit of Hard Concrete gates (Louizos, Welling and Kingma 2018),
/// one per slot, jointly with a small predictor (the head) on the label, minimizing <c>task loss + (L0Strength / n) *
/// E[L0]</c> with n the fit's rows and <c>E[L0] = sum_j P(z_j != 0)</c>. Such a fit keeps a small set of slots that
/// explains the label, so a slot that is relevant but redundant given others ranks with the noise. The selector
/// therefore runs stability selection (Meinshausen and Buhlmann 2010; complementary pairs of half-samples, Shah and
/// Samworth 2013): <see cref="StabilityRounds"/> rounds, each splitting the training rows into two random halves and
/// the slots into <see cref="SlotGroups"/> random groups, with one fit per (half, group). A slot's score is the
/// share of the fits that saw it in which its gate ended more likely open than shut; fits that did not see a slot's
/// substitutes must use it, so redundant relevant slots score well above noise.
/// </para>
/// <para>
/// <b>What is kept.</b> With <see cref="MaximumFeatureCount"/> k: exactly k slots, the first k of the ranking: the k of
/// highest score, or, when k is below the slot count and they predict better together on held-out rows, the k that a
/// Concrete selector (k Gumbel-Softmax selection units sharing one head) picks most often among the 2k best by score
/// (see <see cref="GatedSelectorStatistics.JointSubsetHoldoutLosses"/>). Without k: every
/// slot whose score reaches a threshold chosen so that the bound on the expected number of kept noise slots is at most
/// <see cref="ExpectedFalseSelections"/> (see <see cref="GatedSelectorStatistics.FalseSelectionBound"/>). The fitted
/// transformer then multiplies kept slots by 1 (or their gate, see <see cref="KeptGateValue"/>) and drops the rest.
/// A final fit on the kept slots over all training rows gives the reported training history and validation loss.
/// Features are standardized internally for training; the transformer applies the gates to the original values.
/// </para>
/// </remarks>
public sealed partial class GatedFeatureSelectorOptions
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
    public LabelTask? Task { get; set; }

    /// <summary>
    /// Hidden layer sizes of the head (ReLU MLP); empty for a linear head. Default <c>[32]</c>: one hidden layer, so
    /// relevance through interactions is detectable. A linear head (<c>[]</c>) is faster and finds only slots that act
    /// additively; a larger head needs <see cref="HeadWeightDecay"/> to keep it from memorizing noise (measured on the
    /// MADELON recipe files: <c>[64, 64]</c> with 150 epochs kept 19 of the 20 relevant columns in its top 20, against 20
    /// of 20 for the default, at about 2.5 times the fit time).
    /// </summary>
    public int[] HiddenSizes { get; set; } = [32];

    /// <summary>
    /// k: keep exactly k slots (1 to the slot count), ranks 1 to k of <see cref="GatedFeatureSelectorTransformer.FeatureScores"/>.
    /// The score rates each slot on its own, so the k best scores can be several copies of one signal; with k below the
    /// slot count the selector also searches for k slots that predict well together (a Concrete selector: k
    /// Gumbel-Softmax units over the 2k best by score, on both halves of <see cref="StabilityRounds"/> random splits)
    /// and keeps them instead when the head alone predicts better from them on the held-out halves. This costs
    /// <c>6 x StabilityRounds</c> small fits (on the 500-slot MADELON recipe files a fit with k took 2.1 to 3.9 s against
    /// 1.5 to 1.8 s without) and, measured on ten splits each, raised LightGBM's macro accuracy on wine at k = 5 from
    /// 0.948 to 0.969 (mutual information 0.975); on MADELON (seed 1) the k = 20 best scores won the check on all three
    /// files and stayed (20 of 20 relevant). <c>null</c> (default): keep every slot whose score reaches the threshold
    /// set by <see cref="ExpectedFalseSelections"/>. Set k when the downstream model needs a fixed width; leave it null
    /// to let the data decide how many slots matter.
    /// </summary>
    public int? MaximumFeatureCount { get; set; }

    /// <summary>
    /// Without k: the most noise slots you accept among the kept ones, in expectation (&gt; 0). The score threshold is
    /// the smallest in [0.6, 0.9] whose stability-selection bound is at most this. With many slots the bound is met at a
    /// threshold near 0.6; with few slots (tens) it can need more than 0.9, and the bound at 0.9 is reported instead.
    /// Lower it to keep fewer, surer slots. Ignored with k. Default 1 (on the 500-slot MADELON recipe files: thresholds
    /// 0.60-0.63, 6 to 9 slots kept, none of them noise).
    /// </summary>
    public float ExpectedFalseSelections { get; set; } = 1f;

    /// <summary>
    /// Rounds of stability selection, at least 1. Each round fits <c>2 x SlotGroups</c> models, so the cost grows
    /// linearly; a slot's score is a share of <c>2 x StabilityRounds</c> fits. With k below the slot count, each round
    /// also runs the joint subset search's 6 small fits (see <see cref="MaximumFeatureCount"/>), whose pick frequency is
    /// a share of <c>2 x StabilityRounds</c> fits too. Default 10 (a resolution of 0.05; 40 fits, 1.5 to 1.6 s for 1,950
    /// rows of 500 slots at 2 threads on a quiet machine without k, 2.1 to 3.8 s with k). Raise it when scores near the
    /// threshold must be told apart; lower it to fit faster.
    /// </summary>
    public int StabilityRounds { get; set; } = 10;

    /// <summary>
    /// Random groups the slots are split into in each round, at least 1 (capped at the slot count); each fit sees one
    /// group. Default 2. More groups make redundant relevant slots (copies, mixtures of other slots) score higher and
    /// make each fit cheaper, but a slot that matters only together with others scores lower, since they must fall in
    /// the same group. 1 makes every fit see every slot: the score then measures how often a slot is among a minimal
    /// set of slots that explains the label. Measured on the MADELON recipe files (20 relevant columns, 15 of them
    /// mixtures of the other 5): 1 group put 13 to 17 relevant columns in the top 20, 2 and 4 groups all 20 (4 with a
    /// wider gap to the noise); on the synthetic interaction-only set, 2 groups rank every relevant slot first.
    /// </summary>
    public int SlotGroups { get; set; } = 2;

    /// <summary>
    /// The L0 strength lambda &gt; 0 of every fit, or <c>null</c> (default) for the automatic one. The penalty weight per
    /// expected open gate is lambda / n, so a fit keeps a slot when it lowers the task loss summed over the fit's n rows
    /// by more than about lambda nats. Automatic: <c>2 (ln(n) / 2 + ln(p))</c> for a fit on n rows and p candidate slots
    /// (the extended BIC of Chen and Chen 2008, with 2 parameters per slot), e.g. 18 for 975 rows and 250 slots, 8 for
    /// 176 rows and 5 slots; the ln(p) term keeps the chance gains of many noise slots out. Set a number to keep fewer
    /// slots per fit (larger) or let weaker slots in (smaller, at the price of a weaker error bound).
    /// </summary>
    public float? L0Strength { get; set; }

    /// <summary>
    /// Decoupled (AdamW) weight decay of the head, per unit learning rate, &gt;= 0. It bounds the head's weights, so the
    /// head cannot memorize the training rows through noise slots (which would keep their gates open). Default 0.5. Set 0
    /// only with a linear head or many rows per slot: without decay, fits that saw few relevant slots opened up to 25
    /// noise gates each on MADELON, and noise slots scored up to 0.8. Much more decay (1 and above) weakens the head's
    /// hold on interactions (it missed a three-slot interaction on one of six synthetic seeds).
    /// </summary>
    public float HeadWeightDecay { get; set; } = 0.5f;

    /// <summary>What the output column holds. Default <see cref="GatedOutputMode.KeptSlots"/>.</summary>
    public GatedOutputMode OutputMode { get; set; } = GatedOutputMode.KeptSlots;

    /// <summary>
    /// The value a kept slot is multiplied by. Default <see cref="KeptGateValue.One"/>: original values pass through.
    /// <see cref="KeptGateValue.TestTimeGate"/> uses the final fit's test-time gate; a kept slot whose final gate shut
    /// is then dropped, so fewer than k slots can remain.
    /// </summary>
    public KeptGateValue KeptGateValue { get; set; } = KeptGateValue.One;

    /// <summary>Passes over its rows by each fit (the stability fits and the final one), at least 1. Default 50.</summary>
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

    /// <summary>
    /// Fraction of rows held out from every fit, in [0, 1): the final fit reports its loss on them per epoch (and
    /// stops early on it, see <see cref="EarlyStoppingPatience"/>), and a warning is logged when it parts from the
    /// training loss. Default 0.1.
    /// </summary>
    public float ValidationFraction { get; set; } = 0.1f;

    /// <summary>
    /// The final fit stops after this many epochs without a better validation loss and restores the best epoch's
    /// parameters; 0 (default) disables early stopping (the validation loss rises as the penalty closes gates, which
    /// is intended). The stability fits run all their epochs: their head is kept from overfitting by
    /// <see cref="HeadWeightDecay"/>.
    /// </summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>Seed of the shuffling, initialization and gate noise; <c>null</c> (default) draws one from the <c>MLContext</c>'s seed.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// <c>false</c> (default): a row with a NaN or infinite feature or label is an error. <c>true</c>: such rows are
    /// skipped and their count is logged and reported by <see cref="GatedFeatureSelectorTransformer.SkippedRows"/>.
    /// </summary>
    public bool SkipRowsWithMissingValues { get; set; }

    /// <summary>
    /// Receives a report after each stability fit and each epoch of the final fit; <c>null</c> (default) for none. Reports
    /// may come from worker threads, one at a time. Also logged to <c>MLContext.Log</c>.
    /// </summary>
    public IProgress<GatedSelectionProgress>? Progress { get; set; }

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
