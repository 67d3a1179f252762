namespace Ml.Relaxation.Models.DiscreteVae;

/// <summary>The shape of a <see cref="DiscreteVaeModel"/>: data width, latent layout, networks and distributions.</summary>
internal sealed record DiscreteVaeArchitecture
{
    /// <summary>Width D of a data row. Required.</summary>
    public required int FeatureCount { get; init; }

    /// <summary>Number of latent variables L. Default 20.</summary>
    public int LatentCount { get; init; } = 20;

    /// <summary>Categories per categorical latent K. Default 10. Ignored (taken as 2) for Bernoulli latents.</summary>
    public int CategoryCount { get; init; } = 10;

    /// <summary>Categorical or Bernoulli latents. Default <see cref="LatentDistribution.Categorical"/>.</summary>
    public LatentDistribution Latents { get; init; } = LatentDistribution.Categorical;

    /// <summary>Hidden layer widths of the encoder, input side first. Default [512, 256] (Jang et al. 2017).</summary>
    public IReadOnlyList<int> EncoderHiddenSizes { get; init; } = [512, 256];

    /// <summary>Hidden layer widths of the decoder, latent side first; null mirrors the encoder. Default null.</summary>
    public IReadOnlyList<int>? DecoderHiddenSizes { get; init; }

    /// <summary>The likelihood p(x | z). Default <see cref="ReconstructionLikelihood.Bernoulli"/>.</summary>
    public ReconstructionLikelihood Likelihood { get; init; } = ReconstructionLikelihood.Bernoulli;

    /// <summary>Soft or straight-through relaxation in training. Default <see cref="RelaxationMode.Soft"/>.</summary>
    public RelaxationMode Relaxation { get; init; } = RelaxationMode.Soft;

    /// <summary>Uniform or learned prior. Default <see cref="LatentPrior.Uniform"/>.</summary>
    public LatentPrior Prior { get; init; } = LatentPrior.Uniform;

    /// <summary>Categories per latent as the model uses them: <see cref="CategoryCount"/>, or 2 for Bernoulli latents.</summary>
    public int EffectiveCategoryCount => Latents == LatentDistribution.Bernoulli ? 2 : CategoryCount;

    /// <summary>Width of the latent code the decoder reads: L*K, or L for Bernoulli latents.</summary>
    public int LatentWidth => Latents == LatentDistribution.Bernoulli ? LatentCount : LatentCount * CategoryCount;

    /// <summary>The decoder's hidden widths after mirroring.</summary>
    public IReadOnlyList<int> EffectiveDecoderHiddenSizes => DecoderHiddenSizes ?? [.. EncoderHiddenSizes.Reverse()];

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (FeatureCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(FeatureCount), FeatureCount, "Expected at least one feature.");
        if (LatentCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(LatentCount), LatentCount, "Expected at least one latent variable.");
        if (Latents == LatentDistribution.Categorical && CategoryCount < 2)
            throw new ArgumentOutOfRangeException(nameof(CategoryCount), CategoryCount, "Expected at least 2 categories per latent.");
        if (!Enum.IsDefined(Latents)) throw new ArgumentOutOfRangeException(nameof(Latents), Latents, "Unknown latent distribution.");
        if (!Enum.IsDefined(Likelihood)) throw new ArgumentOutOfRangeException(nameof(Likelihood), Likelihood, "Unknown likelihood.");
        if (!Enum.IsDefined(Relaxation)) throw new ArgumentOutOfRangeException(nameof(Relaxation), Relaxation, "Unknown relaxation mode.");
        if (!Enum.IsDefined(Prior)) throw new ArgumentOutOfRangeException(nameof(Prior), Prior, "Unknown prior.");
        CheckSizes(EncoderHiddenSizes, nameof(EncoderHiddenSizes));
        if (DecoderHiddenSizes is not null) CheckSizes(DecoderHiddenSizes, nameof(DecoderHiddenSizes));
    }

    private static void CheckSizes(IReadOnlyList<int>? sizes, string name)
    {
        if (sizes is null) throw new ArgumentNullException(name);
        foreach (int s in sizes)
            if (s <= 0) throw new ArgumentOutOfRangeException(name, s, "Expected hidden layer widths of at least 1 (an empty list means no hidden layer).");
    }
}
