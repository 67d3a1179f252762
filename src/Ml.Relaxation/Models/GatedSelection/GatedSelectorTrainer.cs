using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>Trains a <see cref="GatedSelectorModel"/> with the engine's training loop and makes the final selection.</summary>
public static class GatedSelectorTrainer
{
    /// <summary>
    /// Trains on <paramref name="train"/> (raw features, targets: 0/1, a class index, or a real value), reporting
    /// every epoch, then selects the kept slots with <see cref="GateSelection.Select"/>.
    /// </summary>
    /// <param name="settings">Hyperparameters.</param>
    /// <param name="scaling">Standardization fitted on the training rows.</param>
    /// <param name="train">Training mini-batches.</param>
    /// <param name="trainingRows">Rows per training epoch (N of the penalty scale lambda / N).</param>
    /// <param name="validation">Validation mini-batches, or null.</param>
    /// <param name="progress">Receives each epoch's summary, or null.</param>
    /// <param name="cancellationToken">Checked before every mini-batch.</param>
    public static GatedSelectionResult Train(GatedSelectorSettings settings, FeatureScaling scaling, IBatchSource train,
        long trainingRows, IBatchSource? validation = null, IProgress<GatedSelectionEpoch>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        var model = new GatedSelectorModel(settings, scaling, trainingRows);
        var history = new List<GatedSelectionEpoch>();

        var optimizer = new GateAndHeadOptimizer(model.LogAlpha, model.HeadParameters, settings.GateLearningRate, settings.LearningRate);
        int warmup = settings.GateWarmupEpochs;
        var options = new TrainingOptions
        {
            Epochs = settings.Epochs,
            Optimizer = optimizer,
            // head-only warm-up, so that relevance that shows only through interactions is learned before gates compete
            OnStep = step =>
            {
                optimizer.GatesFrozen = step.Epoch < warmup;
                if (!optimizer.GatesFrozen) model.AdaptPenalty();
            },
            EarlyStoppingPatience = validation is null ? null : settings.EarlyStoppingPatience,
            RestoreBestParameters = settings.EarlyStoppingPatience is not null,
            Progress = new EpochRelay(report =>
            {
                float[] zHat = model.TestTimeGates();

                var epoch = new GatedSelectionEpoch(report.Epoch, (float)report.TrainLoss, (float)(report.ValidationMetric ?? double.NaN),
                    model.ExpectedL0(), zHat.Count(z => z != 0f));
                history.Add(epoch);
                progress?.Report(epoch);
            }),
        };
        TrainingHistory run = TrainingLoop.Run(model, train, validation, options, cancellationToken);

        float[] logAlpha = (float[])model.LogAlpha.Value.Clone();
        float[] testTime = model.TestTimeGates();
        // rank by the final log_alpha, equivalently P(z != 0)
        var (kept, gates) = GateSelection.Select(logAlpha, testTime, settings.MaximumFeatureCount, settings.KeptGateValue);
        return new GatedSelectionResult(logAlpha, model.ProbabilityNonZero(), testTime, model.ExpectedL0(), kept, gates,
            history, run.StoppedEarly);
    }

    /// <summary>Synchronous progress (unlike <see cref="Progress{T}"/>, which may post to a synchronization context).</summary>
    private sealed class EpochRelay(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }
}
