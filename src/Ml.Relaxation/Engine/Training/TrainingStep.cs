namespace Ml.Relaxation.Engine;

/// <summary>Where training stands when a mini-batch is about to be trained on.</summary>
/// <param name="Epoch">Zero-based epoch.</param>
/// <param name="Step">Zero-based step counted over all epochs (the index of the optimizer update about to happen).</param>
/// <param name="BatchInEpoch">Zero-based index of the mini-batch within the epoch.</param>
internal readonly record struct TrainingStep(int Epoch, long Step, int BatchInEpoch);
