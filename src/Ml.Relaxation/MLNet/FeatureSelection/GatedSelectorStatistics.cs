using Microsoft.ML;
using Ml.Relaxation.Data;
using Ml.Relaxation.Models.GatedSelection;

namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>
/// What a gated feature selector learned: every slot's score, the kept slots and why, and the final fit's history.
/// Saved with the model: read it from a fitted <see cref="GatedFeatureSelectorTransformer"/>, or from a model loaded
/// with <c>mlContext.Model.Load</c> through <see cref="FindIn"/>.
/// </summary>
public sealed class GatedSelectorStatistics
{
    internal GatedSelectorStatistics(
        string featureColumnName, string outputColumnName, LabelTask task, IReadOnlyList<GatedFeatureScore> featureScores,
        IReadOnlyList<float> appliedGates, int? maximumFeatureCount, float? selectionThreshold, double falseSelectionBound,
        int stabilityFits, int slotGroups, double meanSelectedPerFit, double meanFitTrainingLoss, double meanFitHoldoutLoss,
        JointSubsetLosses? jointSubsetHoldoutLosses, IReadOnlyList<GatedSelectionEpoch> history, long trainingRows, long skippedRows)
    {
        FeatureColumnName = featureColumnName;
        OutputColumnName = outputColumnName;
        Task = task;
        FeatureScores = featureScores;
        AppliedGates = appliedGates;
        MaximumFeatureCount = maximumFeatureCount;
        SelectionThreshold = selectionThreshold;
        FalseSelectionBound = falseSelectionBound;
        StabilityFits = stabilityFits;
        SlotGroups = slotGroups;
        MeanSelectedPerFit = meanSelectedPerFit;
        MeanFitTrainingLoss = meanFitTrainingLoss;
        MeanFitHoldoutLoss = meanFitHoldoutLoss;
        JointSubsetHoldoutLosses = jointSubsetHoldoutLosses;
        History = history;
        TrainingRows = trainingRows;
        SkippedRows = skippedRows;
        KeptSlotIndices = [.. featureScores.Where(s => s.IsKept).Select(s => s.SlotIndex).Order()];
        var byIndex = featureScores.ToDictionary(s => s.SlotIndex);
        KeptSlotNames = [.. KeptSlotIndices.Select(j => byIndex[j].SlotName)];
    }

    /// <summary>The input column the gates apply to.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The output column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The task the head was trained on.</summary>
    public LabelTask Task { get; }

    /// <summary>Slot count of the feature column.</summary>
    public int SlotCount => FeatureScores.Count;

    /// <summary>One score per slot, best first (see <see cref="GatedFeatureScore"/>).</summary>
    public IReadOnlyList<GatedFeatureScore> FeatureScores { get; }

    /// <summary>Indices of the kept slots, ascending: their order in the output in <see cref="GatedOutputMode.KeptSlots"/> mode.</summary>
    public IReadOnlyList<int> KeptSlotIndices { get; }

    /// <summary>Slot names of the kept slots (empty strings where the input has no slot names), in the order of <see cref="KeptSlotIndices"/>.</summary>
    public IReadOnlyList<string> KeptSlotNames { get; }

    /// <summary>The multiplier applied per slot: 0 for dropped slots; 1 or the final fit's test-time gate for kept ones.</summary>
    public IReadOnlyList<float> AppliedGates { get; }

    /// <summary>k when it was set (exactly the slots of rank 1 to k are kept); null when the threshold decided.</summary>
    public int? MaximumFeatureCount { get; }

    /// <summary>Without k: the score a slot needed to be kept; null with k.</summary>
    public float? SelectionThreshold { get; }

    /// <summary>
    /// A bound on the expected number of kept slots that are noise: G^2 E[q^2] / ((2 tau - 1) p) for p slots, G slot
    /// groups, q slots selected per stability fit and tau the <see cref="SelectionThreshold"/> (with k, the lowest kept
    /// score). It holds when the noise slots are exchangeable and each fit does no worse than random guessing
    /// (Meinshausen and Buhlmann 2010; Shah and Samworth 2013), and is conservative; +infinity when tau &lt;= 1/2.
    /// </summary>
    public double FalseSelectionBound { get; }

    /// <summary>Stability fits run: rounds x slot groups x 2.</summary>
    public int StabilityFits { get; }

    /// <summary>Slot groups per round (the option, capped at the slot count).</summary>
    public int SlotGroups { get; }

    /// <summary>Mean number of slots a stability fit selected.</summary>
    public double MeanSelectedPerFit { get; }

    /// <summary>Mean task loss of the stability fits on their own half-sample (test-time gates).</summary>
    public double MeanFitTrainingLoss { get; }

    /// <summary>Mean task loss of the stability fits on the complementary half-sample: far above <see cref="MeanFitTrainingLoss"/> means the fits overfit.</summary>
    public double MeanFitHoldoutLoss { get; }

    /// <summary>
    /// With k (less than the slot count): the held-out losses that decided between the k best by score and the k the
    /// joint subset search picked most (see <see cref="GatedFeatureSelectorOptions.MaximumFeatureCount"/>); null otherwise.
    /// </summary>
    public JointSubsetLosses? JointSubsetHoldoutLosses { get; }

    /// <summary>
    /// Whether the ranking of <see cref="FeatureScores"/>, and so the kept k, follows the subset frequency: true when the
    /// joint subset predicted better on held-out rows than the k best by score.
    /// </summary>
    public bool RankedBySubsetFrequency => JointSubsetHoldoutLosses is { SubsetWins: true };

    /// <summary>One entry per epoch of the final fit on the kept slots (training loss, validation loss, expected L0, open gates).</summary>
    public IReadOnlyList<GatedSelectionEpoch> History { get; }

    /// <summary>Training rows used (the validation rows excluded).</summary>
    public long TrainingRows { get; }

    /// <summary>Rows skipped for NaN or infinite values (only with <see cref="GatedFeatureSelectorOptions.SkipRowsWithMissingValues"/>).</summary>
    public long SkippedRows { get; }

    /// <summary>
    /// The statistics of every gated selector in <paramref name="model"/>, in pipeline order: works on a fitted
    /// pipeline and on one loaded with <c>mlContext.Model.Load</c> in any <see cref="MLContext"/>.
    /// </summary>
    /// <param name="model">A transformer or chain, e.g. the result of <c>mlContext.Model.Load</c>.</param>
    /// <param name="inputSchema">The schema of the data the model takes (<c>Load</c>'s <c>out</c> parameter).</param>
    public static IReadOnlyList<GatedSelectorStatistics> FindIn(ITransformer model, DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        var found = new List<GatedSelectorStatistics>();
        StatisticsColumn.Collect(model, inputSchema, found);
        return found;
    }
}

