using Ml.Relaxation.Engine;
using Ml.Relaxation.MLNet.Data;
using Ml.Relaxation.Models.DiscreteVae;

namespace Ml.Relaxation.MLNet.DiscreteVae;

// How the options become the settings of the layers below ML.NET, in one place: the model's
// DiscreteVaeArchitecture, the TrainingOptions of the training loop and the rows'
// BatchSourceOptions. Every other option is listed in ReadByEstimator; a test
// (OptionsMappingTests) changes each option in turn and fails when one reaches neither these settings nor that
// list, so a new option cannot be silently ignored.
public sealed partial class DiscreteVaeOptions
{
    /// <summary>
    /// The options the estimator reads itself rather than passing them on: the output column names (the encoder graph's
    /// outputs), the temperature schedule (stepped by the estimator), <see cref="Seed"/> (resolved from the
    /// <c>MLContext</c> first; it reaches the settings as an argument), where the encoder runs, and the ML.NET plumbing.
    /// </summary>
    internal static readonly IReadOnlySet<string> ReadByEstimator = new HashSet<string>
    {
        nameof(CodesColumnName), nameof(OneHotColumnName), nameof(ProbabilitiesColumnName), nameof(ReconstructionColumnName),
        nameof(Temperature), nameof(Seed),
        nameof(GpuDeviceId), nameof(FallbackToCpu),
        nameof(Progress), nameof(CancellationToken),
    };

    /// <summary>The model's shape for rows of <paramref name="featureCount"/> values.</summary>
    internal DiscreteVaeArchitecture ToArchitecture(int featureCount) => new()
    {
        FeatureCount = featureCount,
        LatentCount = LatentCount,
        CategoryCount = CategoryCount,
        Latents = Latents,
        EncoderHiddenSizes = EncoderHiddenSizes,
        DecoderHiddenSizes = DecoderHiddenSizes,
        Likelihood = Likelihood,
        Relaxation = Relaxation,
        Prior = Prior,
    };

    /// <summary>The training loop's epochs, learning rate and early stopping (the estimator adds its step and progress hooks).</summary>
    internal TrainingOptions ToTrainingOptions() => new()
    {
        Epochs = Epochs,
        LearningRate = LearningRate,
        EarlyStoppingPatience = EarlyStoppingPatience > 0 ? EarlyStoppingPatience : null,
    };

    /// <summary>The feature column, row policy, validation split and batch size the rows are read with.</summary>
    internal BatchSourceOptions ToBatchSourceOptions(ulong seed) => new()
    {
        FeatureColumn = FeatureColumnName,
        NonFiniteRows = SkipRowsWithMissingValues ? NonFiniteRowPolicy.Skip : NonFiniteRowPolicy.Reject,
        Seed = seed,
        ValidationFraction = ValidationFraction,
        BatchSize = BatchSize,
    };
}
