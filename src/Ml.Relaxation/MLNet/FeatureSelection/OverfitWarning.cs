using Microsoft.ML.Runtime;

namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>Warns, through the ML.NET log, when a fit's held-out loss parts from its training loss.</summary>
internal static class OverfitWarning
{
    /// <summary>
    /// The held-out loss counts as parted from the training loss when it exceeds it by more than this share of the
    /// training loss and by at least <see cref="MinimumGap"/> nats.
    /// </summary>
    public const double RelativeGap = 0.5;

    /// <summary>The smallest absolute gap, in nats per row, worth a warning.</summary>
    public const double MinimumGap = 0.05;

    /// <summary>True when <paramref name="heldOutLoss"/> parts from <paramref name="trainingLoss"/>.</summary>
    public static bool Parted(double trainingLoss, double heldOutLoss) =>
        heldOutLoss - trainingLoss > Math.Max(MinimumGap, RelativeGap * Math.Abs(trainingLoss));

    /// <summary>Logs a warning naming <paramref name="what"/> when the losses part.</summary>
    public static void Check(IChannel channel, string what, double trainingLoss, double heldOutLoss)
    {
        if (!Parted(trainingLoss, heldOutLoss)) return;
        channel.Warning(MessageSensitivity.None,
            "{0} overfit: held-out loss {1:G4} against {2:G4} on the training rows. Raise HeadWeightDecay, use fewer or smaller HiddenSizes, or fewer Epochs.",
            what, heldOutLoss, trainingLoss);
    }
}
