using System.Globalization;
using Ml.Relaxation.Engine;
using Ml.Relaxation.Models.DiscreteVae;
using Ml.Relaxation.Onnx.Editing;

namespace Ml.Relaxation.Onnx;

/// <summary>
/// Writes a trained <see cref="DiscreteVaeModel"/> as ONNX graphs (see <see cref="DiscreteVaeOnnxGraphs"/>), each
/// with metadata saying what it is (<see cref="OnnxMetadata"/>: kind, L, K, latents, likelihood, layer sizes, prior,
/// relaxation, temperature, producer and version).
/// </summary>
internal static class DiscreteVaeOnnxExport
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
        return WithMetadata(DiscreteVaeOnnxGraphs.Encoder(spec), model, OnnxMetadata.DiscreteVaeEncoderKind);
    }

    /// <summary>
    /// The decoder as an ONNX model: input <paramref name="latentName"/> [N x L*K] float (one-hot or relaxed codes; [N x L]
    /// bits for Bernoulli latents), output <paramref name="reconstructionName"/> [N x D], the mean of p(x | z).
    /// </summary>
    public static byte[] Decoder(DiscreteVaeModel model, string latentName = "Latent", string reconstructionName = "Reconstruction")
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckDistinct([latentName, reconstructionName]);
        return WithMetadata(DiscreteVaeOnnxGraphs.Decoder(Spec(model, true) with { LatentName = latentName, ReconstructionName = reconstructionName }),
            model, OnnxMetadata.DiscreteVaeDecoderKind);
    }

    /// <summary>The model's description as <c>metadata_props</c> entries (keys under <see cref="OnnxMetadata.DiscreteVaePrefix"/>).</summary>
    internal static List<KeyValuePair<string, string>> Metadata(DiscreteVaeModel model, string kind)
    {
        DiscreteVaeArchitecture a = model.Architecture;
        string Key(string name) => OnnxMetadata.DiscreteVaePrefix + name;
        var entries = OnnxMetadata.Header(kind);
        entries.Add(new(Key("latent_count"), model.LatentCount.ToString(CultureInfo.InvariantCulture)));
        entries.Add(new(Key("category_count"), model.CategoryCount.ToString(CultureInfo.InvariantCulture)));
        entries.Add(new(Key("latents"), a.Latents.ToString()));
        entries.Add(new(Key("likelihood"), a.Likelihood.ToString()));
        entries.Add(new(Key("feature_count"), model.FeatureCount.ToString(CultureInfo.InvariantCulture)));
        entries.Add(new(Key("encoder_hidden_sizes"), OnnxMetadata.Json(a.EncoderHiddenSizes)));
        entries.Add(new(Key("decoder_hidden_sizes"), OnnxMetadata.Json(a.EffectiveDecoderHiddenSizes)));
        entries.Add(new(Key("prior"), a.Prior.ToString()));
        entries.Add(new(Key("relaxation"), a.Relaxation.ToString()));
        entries.Add(new(Key("temperature"), model.Temperature.ToString("R", CultureInfo.InvariantCulture)));
        return entries;
    }

    private static byte[] WithMetadata(byte[] graph, DiscreteVaeModel model, string kind) =>
        OnnxModelEditor.SetMetadata(graph, Metadata(model, kind));

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
