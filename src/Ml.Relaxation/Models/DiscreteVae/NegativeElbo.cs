namespace Ml.Relaxation.Models.DiscreteVae;

/// <summary>
/// The negative evidence lower bound in nats per row: <see cref="Reconstruction"/> = E_q[-log p(x | z)] plus
/// <see cref="Kl"/> = KL(q(z | x) || p(z)). Lower is better; it bounds -log p(x) from above.
/// </summary>
/// <param name="Reconstruction">Expected negative log-likelihood of the data given the latents.</param>
/// <param name="Kl">Kullback-Leibler divergence of the posterior from the prior.</param>
public readonly record struct NegativeElbo(double Reconstruction, double Kl)
{
    /// <summary>The negative ELBO: reconstruction plus KL.</summary>
    public double Total => Reconstruction + Kl;
}
