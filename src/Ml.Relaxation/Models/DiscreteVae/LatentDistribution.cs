namespace Ml.Relaxation.Models.DiscreteVae;

/// <summary>The kind of discrete latent variable.</summary>
public enum LatentDistribution
{
    /// <summary>Each latent takes one of K categories; relaxed with Gumbel-Softmax (Jang et al. 2017).</summary>
    Categorical,

    /// <summary>Each latent is a bit (K = 2); relaxed with Binary Concrete (Maddison et al. 2017).</summary>
    Bernoulli,
}
