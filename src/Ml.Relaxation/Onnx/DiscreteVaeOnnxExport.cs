using Ml.Relaxation.Engine;
using Ml.Relaxation.Models.DiscreteVae;

namespace Ml.Relaxation.Onnx;

/// <summary>Writes a trained <see cref="DiscreteVaeModel"/> as ONNX graphs (see <see cref="DiscreteVaeOnnxGraphs"/>).</summary>
public static class DiscreteVaeOnnxExport
{
    /// <summary>
    /// The encoder as an ONNX model (IR 8, opset 17): input <paramref name="featuresName"/> [N x D] float; outputs
    /// <paramref name="codesName"/> [N x L] int64 (most likely category per latent), <paramref name="oneHotName"/>
    /// [N x L*K] and <paramref name="probabilitiesName"/> [N x L*K] float, and with a
    /// <paramref name="reconstructionName"/> also the decoder's mean given the codes, [N x D].
    /// </summary>
    public static byte[] Encoder(DiscreteVaeModel model, string featuresName = "Features", string codesName = "Codes",
        string oneHotName = "OneHot", string probabilitiesName = "Probabilities", string? reconstructionName = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        DiscreteVaeGraphSpec spec = Spec(model, reconstructionName is not null) with
        {
            FeaturesName = featuresName,
            CodesName = codesName,
            OneHotName = oneHotName,
            ProbabilitiesName = probabilitiesName,
            ReconstructionName = reconstructionName ?? "Reconstruction",
        };
        CheckDistinct([featuresName, codesName, oneHotName, probabilitiesName, .. reconstructionName is null ? Array.Empty<string>() : [reconstructionName]]);
        return DiscreteVaeOnnxGraphs.Encoder(spec);
    }

    /// <summary>
    /// The decoder as an ONNX model: input <paramref name="latentName"/> [N x L*K] float (one-hot or relaxed codes; [N x L]
    /// bits for Bernoulli latents), output <paramref name="reconstructionName"/> [N x D], the mean of p(x | z).
    /// </summary>
    public static byte[] Decoder(DiscreteVaeModel model, string latentName = "Latent", string reconstructionName = "Reconstruction")
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckDistinct([latentName, reconstructionName]);
        return DiscreteVaeOnnxGraphs.Decoder(Spec(model, true) with { LatentName = latentName, ReconstructionName = reconstructionName });
    }

    private static DiscreteVaeGraphSpec Spec(DiscreteVaeModel model, bool withDecoder) => new()
    {
        Encoder = [.. model.EncoderLayers.Select(Weights)],
        Decoder = withDecoder ? [.. model.DecoderLayers.Select(Weights)] : [],
        LatentCount = model.LatentCount,
        CategoryCount = model.CategoryCount,
        Bernoulli = model.HasBernoulliLatents,
        BernoulliLikelihood = model.Architecture.Likelihood == ReconstructionLikelihood.Bernoulli,
    };

    private static DenseLayerWeights Weights(Linear layer) =>
        new((float[])layer.Weight.Value.Clone(), (float[])layer.Bias.Value.Clone(), layer.Inputs, layer.Outputs);

    private static void CheckDistinct(string[] names)
    {
        foreach (string name in names) ArgumentException.ThrowIfNullOrWhiteSpace(name, nameof(names));
        string? duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
            throw new ArgumentException($"The graph's input and output names must be distinct; '{duplicate}' is used twice.", nameof(names));
    }
}
