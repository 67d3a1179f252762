namespace Ml.Relaxation.Engine;

/// <summary>Settings of <see cref="TrainingLoop.Run"/>.</summary>
internal sealed class TrainingOptions
{
    /// <summary>Most epochs to run. Default 10.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>The optimizer; null creates <see cref="Adam"/> over the model's parameters with <see cref="LearningRate"/>.</summary>
    public IOptimizer? Optimizer { get; set; }

    /// <summary>Learning rate of the default optimizer. Default 1e-3.</summary>
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Clip the gradients' global L2 norm to this before each step; null (default) does not clip.</summary>
    public float? ClipGradientNorm { get; set; }

    /// <summary>Stop after this many epochs without validation improvement; null (default) runs all epochs. Needs a validation source.</summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>Smallest change of the validation metric that counts as an improvement. Default 0.</summary>
    public double EarlyStoppingMinDelta { get; set; }

    /// <summary>Whether a higher validation metric is better (accuracy) rather than lower (loss). Default false.</summary>
    public bool HigherIsBetter { get; set; }

    /// <summary>With a validation source, end with the parameters of the best validated epoch. Default true.</summary>
    public bool RestoreBestParameters { get; set; } = true;

    /// <summary>Called before every training step, e.g. to set a relaxation temperature from a schedule.</summary>
    public Action<TrainingStep>? OnStep { get; set; }

    /// <summary>Receives each epoch's report.</summary>
    public IProgress<EpochReport>? Progress { get; set; }

    /// <summary>Checks the settings, naming the first bad one.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Expected at least 1 epoch.");
        if (!(LearningRate > 0f) || !float.IsFinite(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Expected a finite learning rate > 0.");
        if (ClipGradientNorm is float c && !(c > 0f))
            throw new ArgumentOutOfRangeException(nameof(ClipGradientNorm), c, "Expected a maximum gradient norm > 0, or null.");
        if (EarlyStoppingPatience is int p && p < 1)
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), p, "Expected a patience of at least 1 epoch, or null.");
        if (!(EarlyStoppingMinDelta >= 0))
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingMinDelta), EarlyStoppingMinDelta, "Expected a minimum improvement >= 0.");
    }
}
