namespace Ml.Relaxation.Engine;

/// <summary>What one epoch of training produced.</summary>
internal sealed class EpochReport
{
    /// <summary>Creates a report.</summary>
    public EpochReport(int epoch, double trainLoss, double? validationMetric, IReadOnlyDictionary<string, double> metrics,
        bool isBest, TimeSpan elapsed)
    {
        Epoch = epoch;
        TrainLoss = trainLoss;
        ValidationMetric = validationMetric;
        Metrics = metrics;
        IsBest = isBest;
        Elapsed = elapsed;
    }

    /// <summary>Zero-based epoch.</summary>
    public int Epoch { get; }

    /// <summary>Mean training loss over the epoch's rows (each batch's loss weighted by its rows).</summary>
    public double TrainLoss { get; }

    /// <summary>The model's validation metric, or null without a validation source.</summary>
    public double? ValidationMetric { get; }

    /// <summary>Further named metrics the model reported during evaluation.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; }

    /// <summary>Whether this epoch has the best validation metric so far (the one early stopping restores).</summary>
    public bool IsBest { get; }

    /// <summary>Wall time of the epoch including evaluation.</summary>
    public TimeSpan Elapsed { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"epoch {Epoch}: train loss {TrainLoss:G5}" + (ValidationMetric is double v ? $", validation {v:G5}" : "") + (IsBest ? " (best)" : "");
}
