namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>What one training epoch of the gated selector achieved.</summary>
/// <param name="Epoch">Zero-based epoch index.</param>
/// <param name="TrainingLoss">Mean over the epoch's mini-batches of task loss + penalty, with sampled gates.</param>
/// <param name="ValidationLoss">
/// Task loss (no penalty) on the validation rows with the deterministic test-time gates, or <see cref="float.NaN"/>
/// when there is no validation split.
/// </param>
/// <param name="ExpectedL0">Sum over slots of P(z != 0) at the end of the epoch.</param>
/// <param name="OpenGates">Slots whose test-time gate is not exactly 0 at the end of the epoch.</param>
public sealed record GatedSelectionEpoch(int Epoch, float TrainingLoss, float ValidationLoss, float ExpectedL0, int OpenGates);
