namespace Ml.Relaxation.Engine;

/// <summary>The result of <see cref="TrainingLoop.Run"/>.</summary>
internal sealed class TrainingHistory
{
    /// <summary>Creates a history.</summary>
    public TrainingHistory(IReadOnlyList<EpochReport> epochs, int bestEpoch, bool stoppedEarly)
    {
        Epochs = epochs;
        BestEpoch = bestEpoch;
        StoppedEarly = stoppedEarly;
    }

    /// <summary>One report per epoch run.</summary>
    public IReadOnlyList<EpochReport> Epochs { get; }

    /// <summary>The epoch whose parameters the model holds at the end (the best validated one when early stopping restores; else the last), -1 if none ran.</summary>
    public int BestEpoch { get; }

    /// <summary>Whether training stopped before the last epoch because the validation metric stopped improving.</summary>
    public bool StoppedEarly { get; }
}
