using System.Diagnostics;

namespace Ml.Relaxation.Engine;

/// <summary>The mini-batch training loop both estimators share.</summary>
internal static class TrainingLoop
{
    /// <summary>
    /// Trains <paramref name="model"/> on <paramref name="train"/> for up to <see cref="TrainingOptions.Epochs"/> epochs.
    /// After each epoch it evaluates on <paramref name="validation"/> (when given), reports an <see cref="EpochReport"/>,
    /// and applies early stopping; at the end it restores the best validated parameters (see
    /// <see cref="TrainingOptions.RestoreBestParameters"/>).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (checked before every batch).</exception>
    public static TrainingHistory Run(ITrainableModel model, IBatchSource train, IBatchSource? validation, TrainingOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.EarlyStoppingPatience is not null && validation is null)
            throw new ArgumentException("Early stopping needs a validation source.", nameof(validation));
        IReadOnlyList<Parameter> parameters = model.Parameters;
        IOptimizer optimizer = options.Optimizer ?? new Adam(parameters, options.LearningRate);
        var tracker = new EarlyStopping(options.EarlyStoppingPatience ?? int.MaxValue, options.EarlyStoppingMinDelta, options.HigherIsBetter);
        bool restore = validation is not null && options.RestoreBestParameters;
        float[][]? best = restore ? parameters.Select(p => (float[])p.Value.Clone()).ToArray() : null;
        var reports = new List<EpochReport>();
        int bestEpoch = -1;
        bool stoppedEarly = false;
        long step = 0;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double lossSum = 0;
            long rows = 0;
            int batchIndex = 0;
            foreach (Batch batch in train.Batches(epoch))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var where = new TrainingStep(epoch, step, batchIndex);
                options.OnStep?.Invoke(where);
                optimizer.ZeroGradients();
                float loss = model.TrainStep(batch, where);
                if (options.ClipGradientNorm is float maxNorm) GradientClipping.ClipByGlobalNorm(parameters, maxNorm);
                optimizer.Step();
                lossSum += (double)loss * batch.Rows;
                rows += batch.Rows;
                step++;
                batchIndex++;
            }
            cancellationToken.ThrowIfCancellationRequested();
            var metrics = new Dictionary<string, double>();
            double? metric = validation is null ? null : model.Evaluate(validation, metrics);
            bool isBest = metric is double m ? tracker.Update(m) : true;
            if (isBest)
            {
                bestEpoch = epoch;
                if (best is not null)
                    for (int i = 0; i < parameters.Count; i++) parameters[i].Value.CopyTo(best[i], 0);
            }
            var report = new EpochReport(epoch, rows == 0 ? double.NaN : lossSum / rows, metric, metrics, isBest, clock.Elapsed);
            reports.Add(report);
            options.Progress?.Report(report);
            if (options.EarlyStoppingPatience is not null && tracker.ShouldStop && epoch < options.Epochs - 1)
            {
                stoppedEarly = true;
                break;
            }
        }
        if (best is not null && bestEpoch >= 0)
            for (int i = 0; i < parameters.Count; i++) best[i].CopyTo(parameters[i].Value, 0);
        else
            bestEpoch = reports.Count - 1;
        return new TrainingHistory(reports, bestEpoch, stoppedEarly);
    }
}
