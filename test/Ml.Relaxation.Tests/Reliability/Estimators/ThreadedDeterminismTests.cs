using Microsoft.ML;
using Ml.Relaxation.Data;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.DiscreteVae;
using Ml.Relaxation.MLNet.FeatureSelection;
using Ml.Relaxation.Models.DiscreteVae;

namespace Ml.Relaxation.Tests.Reliability.Estimators;

/// <summary>
/// Same seed, bit-identical fitted parameters at 1 and 2 threads, on shapes large enough that the threaded code paths
/// actually run (the estimators' own determinism tests use small models, below the kernels' split thresholds), with
/// both parallelism knobs (matrix products and relaxation kernels) set.
/// </summary>
public sealed class ThreadedDeterminismTests
{
    [Fact]
    public void Discrete_vae_fit_is_bit_identical_at_one_and_two_threads_with_threaded_kernels()
    {
        // Batch 100 x 256 inputs x 256 hidden: 6.5M multiply-adds per product (threshold 2^17 per extra thread);
        // 100 rows x 40 latents x 20 categories = 80K relaxed elements (threshold 32K per thread).
        var ctx = new MLContext(seed: 1);
        IDataView data = BadData.Clean(ctx, 256, task: null, rows: 200);
        var options = new DiscreteVaeOptions
        {
            LatentCount = 40, CategoryCount = 20, EncoderHiddenSizes = [256], Likelihood = ReconstructionLikelihood.Gaussian,
            Epochs = 1, BatchSize = 100, ValidationFraction = 0, Seed = 7,
        };
        Determinism.AssertBitIdentical(threads => Determinism.AtThreads(threads, () =>
        {
            using var t = new MLContext(seed: 1).Relaxation().DiscreteVae(options).Fit(data);
            return (IReadOnlyList<float>)[.. t.Model.Parameters.SelectMany(p => p.Value)];
        }));
    }

    [Fact]
    public void Gated_selector_fit_is_bit_identical_at_one_and_two_threads_with_threaded_kernels()
    {
        // Batch 128 x 512 slots x 32 hidden in the final fit (2M multiply-adds per product; 64K Hard Concrete gates per batch),
        // and parallel stability fits of 256 slots each.
        var ctx = new MLContext(seed: 1);
        IDataView data = BadData.Clean(ctx, 512, LabelTask.BinaryClassification, rows: 600);
        var options = new GatedFeatureSelectorOptions { MaximumFeatureCount = 10, Epochs = 2, StabilityRounds = 2, Seed = 3, ValidationFraction = 0 };
        Determinism.AssertBitIdentical(threads => Determinism.AtThreads(threads, () =>
        {
            var t = new MLContext(seed: 1).Relaxation().SelectFeaturesWithGates(options).Fit(data);
            return (IReadOnlyList<float>)[.. t.FeatureScores.SelectMany(f => new[] { f.SlotIndex, f.Score, f.KeepProbability }), .. t.AppliedGates, .. t.History.Select(e => e.TrainingLoss)];
        }));
    }
}
