namespace Ml.Relaxation.Models.DiscreteVae;

/// <summary>The decoder's distribution p(x | z) of the data.</summary>
public enum ReconstructionLikelihood
{
    /// <summary>Independent Bernoulli per feature: data in [0, 1] (e.g. binarized pixels); the decoder outputs logits.</summary>
    Bernoulli,

    /// <summary>Independent unit-variance Gaussian per feature: standardized real-valued data; the decoder outputs the mean.</summary>
    Gaussian,
}
