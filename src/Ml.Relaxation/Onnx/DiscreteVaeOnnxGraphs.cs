namespace Ml.Relaxation.Onnx;

/// <summary>
/// Writes the deterministic test-time graphs of a discrete-latent VAE (sampling cannot be exported and is not
/// wanted at inference): the encoder with codes, one-hot codes, posterior probabilities and optionally the
/// reconstruction decoded from the codes; and the decoder alone.
/// </summary>
internal static class DiscreteVaeOnnxGraphs
{
    private const long N = OnnxGraphBuilder.Batch;

    // Intermediate values are named "dvae.*" so that they cannot clash with the caller's input and output names.

    /// <summary>The encoder graph: features [N x D] to codes, one-hot, probabilities (and reconstruction with a decoder).</summary>
    public static byte[] Encoder(DiscreteVaeGraphSpec spec)
    {
        spec.Validate();
        int l = spec.LatentCount, k = spec.CategoryCount, inputs = spec.Encoder[0].Inputs;
        var g = new OnnxGraphBuilder("discrete_vae_encoder");
        string x = g.AddInput(spec.FeaturesName, OnnxElementType.Float, N, inputs);
        string logits = Mlp(g, "dvae.enc", x, spec.Encoder);
        string flat = g.AddInitializer("dvae.shape_flat", [-1L, l * k], 2);

        string codes, oneHotInput;
        if (spec.Bernoulli)
        {
            // Probabilities interleave [P(z=0), P(z=1)] per latent: sigmoid of (-a, a) side by side.
            string column = g.AddNode("Reshape", [logits, g.AddInitializer("dvae.shape_column", [-1L, l, 1], 3)], "dvae.logits_column");
            string both = g.AddNode("Concat", [g.AddNode("Neg", [column], "dvae.neg_logits"), column], "dvae.logit_pairs", OnnxAttribute.Of("axis", 2L));
            g.AddNode("Reshape", [g.AddNode("Sigmoid", [both], "dvae.probability_pairs"), flat], spec.ProbabilitiesName);
            // Code 1 exactly where the logit is positive, i.e. where P(z=1) > 1/2.
            string positive = g.AddNode("Greater", [logits, g.AddInitializer("dvae.zero", [0f])], "dvae.positive");
            codes = g.AddNode("Cast", [positive], spec.CodesName, OnnxAttribute.Of("to", (long)OnnxElementType.Int64));
            oneHotInput = g.AddNode("Cast", [codes], "dvae.codes_float", OnnxAttribute.Of("to", (long)OnnxElementType.Float));
        }
        else
        {
            string grid = g.AddNode("Reshape", [logits, g.AddInitializer("dvae.shape_grid", [-1L, l, k], 3)], "dvae.logits_grid");
            g.AddNode("Reshape", [g.AddNode("Softmax", [grid], "dvae.probability_grid", OnnxAttribute.Of("axis", -1L)), flat], spec.ProbabilitiesName);
            // ArgMax picks the first maximum, as the C# encoder does.
            codes = g.AddNode("ArgMax", [grid], spec.CodesName, OnnxAttribute.Of("axis", 2L), OnnxAttribute.Of("keepdims", 0L));
            oneHotInput = "";
        }

        string oneHotGrid = g.AddNode("OneHot",
            [codes, g.AddInitializer("dvae.depth", [(long)k]), g.AddInitializer("dvae.off_on", [0f, 1f], 2)], "dvae.one_hot_grid",
            OnnxAttribute.Of("axis", -1L));
        string oneHot = g.AddNode("Reshape", [oneHotGrid, flat], spec.OneHotName);

        g.AddOutput(spec.CodesName, OnnxElementType.Int64, N, l);
        g.AddOutput(spec.OneHotName, OnnxElementType.Float, N, l * k);
        g.AddOutput(spec.ProbabilitiesName, OnnxElementType.Float, N, l * k);
        if (spec.Decoder.Count > 0)
        {
            string latent = spec.Bernoulli ? oneHotInput : oneHot;
            Reconstruction(g, spec, latent);
            g.AddOutput(spec.ReconstructionName, OnnxElementType.Float, N, inputs);
        }
        return g.ToModel($"Discrete VAE encoder: {l} latents x {k} categories{(spec.Bernoulli ? " (Bernoulli)" : "")}.");
    }

    /// <summary>The decoder graph: latent values [N x L*K] (or [N x L] for Bernoulli latents) to the reconstruction mean [N x D].</summary>
    public static byte[] Decoder(DiscreteVaeGraphSpec spec)
    {
        spec.Validate();
        if (spec.Decoder.Count == 0) throw new ArgumentException("The specification has no decoder layers.", nameof(spec));
        var g = new OnnxGraphBuilder("discrete_vae_decoder");
        string z = g.AddInput(spec.LatentName, OnnxElementType.Float, N, spec.DecoderInputs);
        Reconstruction(g, spec, z);
        g.AddOutput(spec.ReconstructionName, OnnxElementType.Float, N, spec.Encoder[0].Inputs);
        return g.ToModel($"Discrete VAE decoder: {spec.LatentCount} latents x {spec.CategoryCount} categories to {spec.Encoder[0].Inputs} features.");
    }

    private static void Reconstruction(OnnxGraphBuilder g, DiscreteVaeGraphSpec spec, string latent)
    {
        if (spec.BernoulliLikelihood)
        {
            string logits = Mlp(g, "dvae.dec", latent, spec.Decoder);
            g.AddNode("Sigmoid", [logits], spec.ReconstructionName);
        }
        else
        {
            Mlp(g, "dvae.dec", latent, spec.Decoder, spec.ReconstructionName);
        }
    }

    /// <summary>Gemm layers with ReLU between them; returns the name of the last (linear) output.</summary>
    private static string Mlp(OnnxGraphBuilder g, string prefix, string input, IReadOnlyList<DenseLayerWeights> layers, string? outputName = null)
    {
        string h = input;
        for (int i = 0; i < layers.Count; i++)
        {
            DenseLayerWeights layer = layers[i];
            string w = g.AddInitializer($"{prefix}{i}_weight", layer.Weight, layer.Inputs, layer.Outputs);
            string b = g.AddInitializer($"{prefix}{i}_bias", layer.Bias, layer.Outputs);
            bool last = i == layers.Count - 1;
            h = g.AddNode("Gemm", [h, w, b], last ? outputName ?? $"{prefix}_logits" : $"{prefix}{i}_linear");
            if (!last) h = g.AddNode("Relu", [h], $"{prefix}{i}_relu");
        }
        return h;
    }
}
