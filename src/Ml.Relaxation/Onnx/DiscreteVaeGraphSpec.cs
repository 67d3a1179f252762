namespace Ml.Relaxation.Onnx;

/// <summary>
/// Everything needed to write the test-time graph of a discrete-latent VAE: MLP weights (ReLU between layers),
/// the latent layout and the names of the graph's inputs and outputs (the ML.NET column names).
/// </summary>
internal sealed record DiscreteVaeGraphSpec
{
    /// <summary>Encoder layers, input first; the last one outputs the latent logits (L*K, or L for Bernoulli latents).</summary>
    public required IReadOnlyList<DenseLayerWeights> Encoder { get; init; }

    /// <summary>Decoder layers, latent first; empty when no reconstruction is wanted.</summary>
    public IReadOnlyList<DenseLayerWeights> Decoder { get; init; } = [];

    /// <summary>Number of latent variables L.</summary>
    public required int LatentCount { get; init; }

    /// <summary>Categories per latent K (2 for Bernoulli latents).</summary>
    public required int CategoryCount { get; init; }

    /// <summary>Bernoulli latents: one logit per latent, probability by sigmoid, code 1 where the logit is positive.</summary>
    public bool Bernoulli { get; init; }

    /// <summary>Bernoulli likelihood: the reconstruction is the sigmoid of the decoder output; otherwise the output itself (Gaussian mean).</summary>
    public bool BernoulliLikelihood { get; init; } = true;

    /// <summary>Graph input: features [N x D].</summary>
    public string FeaturesName { get; init; } = "Features";

    /// <summary>Output: most likely category per latent, int64 [N x L].</summary>
    public string CodesName { get; init; } = "Codes";

    /// <summary>Output: the codes one-hot encoded, float [N x L*K].</summary>
    public string OneHotName { get; init; } = "OneHot";

    /// <summary>Output: posterior probabilities q(z | x), float [N x L*K].</summary>
    public string ProbabilitiesName { get; init; } = "Probabilities";

    /// <summary>Output: the decoder's mean given the one-hot codes, float [N x D]; written only with a decoder.</summary>
    public string ReconstructionName { get; init; } = "Reconstruction";

    /// <summary>Graph input of the decoder-only graph: latent values [N x L*K] (one-hot or relaxed), or [N x L] for Bernoulli latents.</summary>
    public string LatentName { get; init; } = "Latent";

    /// <summary>Width of the decoder's input: L*K, or L for Bernoulli latents.</summary>
    public int DecoderInputs => Bernoulli ? LatentCount : LatentCount * CategoryCount;

    /// <summary>Checks the layer chain against the latent layout.</summary>
    public void Validate()
    {
        if (LatentCount <= 0) throw new ArgumentOutOfRangeException(nameof(LatentCount), LatentCount, "Expected at least one latent.");
        if (CategoryCount < 2 || (Bernoulli && CategoryCount != 2))
            throw new ArgumentOutOfRangeException(nameof(CategoryCount), CategoryCount, "Expected at least 2 categories (exactly 2 for Bernoulli latents).");
        CheckChain(Encoder, nameof(Encoder), null, DecoderInputs);
        if (Decoder.Count > 0) CheckChain(Decoder, nameof(Decoder), DecoderInputs, Encoder[0].Inputs);
    }

    private static void CheckChain(IReadOnlyList<DenseLayerWeights> layers, string name, int? inputs, int outputs)
    {
        if (layers.Count == 0) throw new ArgumentException("Expected at least one layer.", name);
        int? width = inputs;
        foreach (DenseLayerWeights layer in layers)
        {
            layer.Validate(name);
            if (width is int w && layer.Inputs != w)
                throw new ArgumentException($"A layer takes {layer.Inputs} inputs where the previous one gives {w}.", name);
            width = layer.Outputs;
        }
        if (width != outputs) throw new ArgumentException($"The last layer gives {width} outputs; expected {outputs}.", name);
    }
}
