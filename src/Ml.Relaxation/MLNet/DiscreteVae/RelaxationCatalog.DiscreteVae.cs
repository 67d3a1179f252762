using Ml.Relaxation.MLNet.DiscreteVae;

namespace Ml.Relaxation.MLNet;

public sealed partial class RelaxationCatalog
{
    /// <summary>
    /// A variational autoencoder with discrete latents (Gumbel-Softmax): learns to encode the rows of
    /// <paramref name="featureColumnName"/> as <paramref name="latentCount"/> categorical codes of
    /// <paramref name="categoryCount"/> categories each. The fitted transformer adds the columns <c>Codes</c> (L
    /// indices), <c>OneHot</c> (L*K) and <c>Probabilities</c> (L*K). Every other setting has the default documented on
    /// <see cref="DiscreteVaeOptions"/> (Bernoulli likelihood: features in [0, 1]).
    /// </summary>
    /// <param name="featureColumnName">A known-size vector of Single.</param>
    /// <param name="latentCount">L, at least 1.</param>
    /// <param name="categoryCount">K, at least 2.</param>
    /// <param name="epochs">Passes over the data, at least 1.</param>
    public DiscreteVaeEstimator DiscreteVae(string featureColumnName = "Features", int latentCount = 20, int categoryCount = 10, int epochs = 20) =>
        DiscreteVae(new DiscreteVaeOptions
        {
            FeatureColumnName = featureColumnName,
            LatentCount = latentCount,
            CategoryCount = categoryCount,
            Epochs = epochs,
        });

    /// <summary>A discrete-latent VAE encoder with every setting given by <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the exception names it.</exception>
    public DiscreteVaeEstimator DiscreteVae(DiscreteVaeOptions options) => new(Context, Environment, options);
}
