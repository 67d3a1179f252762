using Ml.Relaxation.Data;
using Ml.Relaxation.MLNet.Data;
using Ml.Relaxation.Models.GatedSelection;

namespace Ml.Relaxation.MLNet.FeatureSelection;

// How the options become the settings of the layers below ML.NET, in one place: each fit's
// GatedSelectorSettings, the rows' BatchSourceOptions and the StabilityDesign.
// Every other option is listed in ReadByEstimator; a test (OptionsMappingTests) changes each option
// in turn and fails when one reaches neither these settings nor that list, so a new option cannot be silently ignored.
public sealed partial class GatedFeatureSelectorOptions
{
    /// <summary>
    /// The options the estimator reads itself rather than passing them on: the output column and what it holds, which
    /// slots are kept, the values it resolves first (<see cref="Task"/> from the label's type, <see cref="Seed"/> from the
    /// <c>MLContext</c>; they reach the settings as arguments), and the ML.NET plumbing.
    /// </summary>
    internal static readonly IReadOnlySet<string> ReadByEstimator = new HashSet<string>
    {
        nameof(OutputColumnName), nameof(OutputMode), nameof(KeptGateValue),
        nameof(MaximumFeatureCount), nameof(ExpectedFalseSelections),
        nameof(Task), nameof(Seed),
        nameof(Progress), nameof(CancellationToken),
    };

    /// <summary>The settings of every fit (stability and final) for the resolved task, class count and seed.</summary>
    internal GatedSelectorSettings ToFitSettings(LabelTask task, int classCount, ulong seed) => new()
    {
        Task = task,
        ClassCount = classCount,
        HiddenSizes = HiddenSizes,
        L0Strength = L0Strength ?? 1f, // a placeholder: every fit sets its own (see StabilityDesign.L0Strength)
        HeadWeightDecay = HeadWeightDecay,
        Epochs = Epochs,
        BatchSize = BatchSize,
        LearningRate = LearningRate,
        GateLearningRate = GateLearningRate,
        InitialKeepProbability = InitialKeepProbability,
        GateWarmupFraction = GateWarmupFraction,
        Gamma = Gamma,
        Zeta = Zeta,
        Temperature = Temperature,
        EarlyStoppingPatience = EarlyStoppingPatience > 0 ? EarlyStoppingPatience : null,
        Seed = seed,
    };

    /// <summary>The columns, row policy, validation split and batch size the training rows are read with.</summary>
    internal BatchSourceOptions ToBatchSourceOptions(LabelTask task, ulong seed) => new()
    {
        FeatureColumn = FeatureColumnName,
        LabelColumn = LabelColumnName,
        LabelTask = task,
        NonFiniteRows = SkipRowsWithMissingValues ? NonFiniteRowPolicy.Skip : NonFiniteRowPolicy.Reject,
        Seed = seed,
        ValidationFraction = ValidationFraction,
        BatchSize = BatchSize,
    };

    /// <summary>The rounds, slot groups and L0 strength of stability selection.</summary>
    internal StabilityDesign ToStabilityDesign(ulong seed) => new(StabilityRounds, SlotGroups, seed, L0Strength);
}
