namespace Ml.Relaxation.MLNet.DiscreteVae;

/// <summary>What one epoch of discrete VAE training produced (nats per row throughout).</summary>
/// <param name="Epoch">Zero-based epoch.</param>
/// <param name="TrainNegativeElbo">The training objective averaged over the epoch's batches: the negative ELBO with relaxed samples, as the parameters moved.</param>
/// <param name="ValidationNegativeElbo">The negative ELBO on the validation rows with exact discrete samples at the end of the epoch; null without validation rows.</param>
/// <param name="ValidationReconstruction">Its reconstruction part, E_q[-log p(x | z)]; null without validation rows.</param>
/// <param name="ValidationKl">Its KL part, KL(q(z | x) || p(z)); null without validation rows.</param>
/// <param name="Temperature">The relaxation temperature at the end of the epoch.</param>
/// <param name="Elapsed">Wall time of the epoch, evaluation included.</param>
public sealed record DiscreteVaeEpoch(int Epoch, double TrainNegativeElbo, double? ValidationNegativeElbo, double? ValidationReconstruction,
    double? ValidationKl, float Temperature, TimeSpan Elapsed);
