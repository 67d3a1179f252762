using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>Trains one <see cref="GatedSelectorModel"/> with the engine's training loop: the base procedure of the selector.</summary>
internal static class GatedSelectorTrainer
{
    /// <summary>
    /// Trains on <paramref name="train"/> (raw features; targets: 0/1, a class index, or a real value), reporting every
    /// epoch, then measures the task loss with the test-time gates on the training rows and on <paramref name="holdout"/>.
    /// </summary>
    /// <param name="settings">Hyperparameters.</param>
    /// <param name="scaling">Standardization fitted on the training rows.</param>
    /// <param name="train">Training mini-batches.</param>
    /// <param name="trainingRows">Rows per training epoch (N of the penalty scale lambda / N).</param>
    /// <param name="validation">Validation mini-batches evaluated every epoch (for the history and early stopping), or null.</param>
    /// <param name="holdout">Rows evaluated once after training, or null.</param>
    /// <param name="progress">Receives each epoch's summary, or null.</param>
    /// <param name="cancellationToken">Checked before every mini-batch.</param>
    public static GatedFitResult Train(GatedSelectorSettings settings, FeatureScaling scaling, IBatchSource train, long trainingRows,
        IBatchSource? validation = null, IBatchSource? holdout = null, IProgress<GatedSelectionEpoch>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        var model = new GatedSelectorModel(settings, scaling, trainingRows);
        var history = new List<GatedSelectionEpoch>();

        var optimizer = new GateAndHeadOptimizer(model.LogAlpha, model.HeadParameters, settings.GateLearningRate, settings.LearningRate,
            settings.HeadWeightDecay);
        int warmup = settings.GateWarmupEpochs;
        var options = new TrainingOptions
        {
            Epochs = settings.Epochs,
            Optimizer = optimizer,
            // head-only warm-up, so that relevance that shows only through interactions is learned before gates compete
            OnStep = step => optimizer.GatesFrozen = step.Epoch < warmup,
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

        var metrics = new Dictionary<string, double>();
        double trainingLoss = model.Evaluate(train, metrics);
        double holdoutLoss = holdout is null ? double.NaN : model.Evaluate(holdout, metrics);
        return new GatedFitResult((float[])model.LogAlpha.Value.Clone(), model.ProbabilityNonZero(), model.TestTimeGates(), history,
            run.StoppedEarly, trainingLoss, holdoutLoss);
    }

    /// <summary>Synchronous progress (unlike <see cref="Progress{T}"/>, which may post to a synchronization context).</summary>
    private sealed class EpochRelay(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }
}
