namespace Ml.Relaxation.Models.DiscreteVae;

/// <summary>The prior p(z) of each latent.</summary>
public enum LatentPrior
{
    /// <summary>Uniform over the K categories (1/2 for a bit).</summary>
    Uniform,

    /// <summary>A categorical distribution per latent whose logits are learned with the rest of the model.</summary>
    Learned,
}
