using System.Reflection;
using System.Text.Json;

namespace Ml.Relaxation.Onnx;

/// <summary>
/// The <c>metadata_props</c> keys this library writes into every ONNX file it produces, so that a file can be
/// inspected without the training code (ONNX Runtime: <c>InferenceSession.ModelMetadata.CustomMetadataMap</c>, or
/// <see cref="Runtime.OnnxScorer.Metadata"/>; Python: <c>onnx.load(path).metadata_props</c>). List values are JSON
/// arrays.
/// </summary>
public static class OnnxMetadata
{
    /// <summary>"Ml.Relaxation".</summary>
    public const string Producer = "ml_relaxation.producer";

    /// <summary>The library's informational version.</summary>
    public const string Version = "ml_relaxation.version";

    /// <summary>What the file is: <see cref="PipelineKind"/>, <see cref="DiscreteVaeEncoderKind"/> or <see cref="DiscreteVaeDecoderKind"/>.</summary>
    public const string Kind = "ml_relaxation.kind";

    /// <summary>An ML.NET pipeline converted by <c>mlContext.Relaxation().ConvertToOnnx</c>.</summary>
    public const string PipelineKind = "MLNetPipeline";

    /// <summary>A discrete VAE encoder (features to codes, one-hot codes and probabilities).</summary>
    public const string DiscreteVaeEncoderKind = "DiscreteVaeEncoder";

    /// <summary>A discrete VAE decoder (latent codes to the reconstruction's mean).</summary>
    public const string DiscreteVaeDecoderKind = "DiscreteVaeDecoder";

    /// <summary>In a pipeline: the number of gated feature selectors, each described under <see cref="SelectorPrefix"/> + index + ".".</summary>
    public const string SelectorCount = "ml_relaxation.selector_count";

    /// <summary>Prefix of one selector's keys: <c>output_column</c>, <c>output_mode</c>, <c>slot_count</c>, <c>k</c>,
    /// <c>kept_slot_indices</c>, <c>kept_slot_names</c>, <c>gates</c> (the multiplier per input slot),
    /// <c>gate_scores</c> (per input slot, when known) and <c>gate_score_kind</c>.</summary>
    public const string SelectorPrefix = "ml_relaxation.selector.";

    /// <summary>In a pipeline: how many of ML.NET's slot droppers were rewritten to score batches.</summary>
    public const string RepairedSlotDroppers = "ml_relaxation.repaired_slot_droppers";

    /// <summary>Prefix of the discrete VAE's keys: <c>latent_count</c> (L), <c>category_count</c> (K), <c>latents</c>,
    /// <c>likelihood</c>, <c>feature_count</c>, <c>encoder_hidden_sizes</c>, <c>decoder_hidden_sizes</c>, <c>prior</c>,
    /// <c>relaxation</c>, <c>temperature</c> and, from the ML.NET estimator, <c>options</c> (JSON).</summary>
    public const string DiscreteVaePrefix = "ml_relaxation.discrete_vae.";

    /// <summary>The library's informational version (as in the assembly).</summary>
    public static string LibraryVersion { get; } =
        typeof(OnnxMetadata).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(OnnxMetadata).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>The producer, version and kind entries.</summary>
    internal static List<KeyValuePair<string, string>> Header(string kind) =>
    [
        new(Producer, "Ml.Relaxation"),
        new(Version, LibraryVersion),
        new(Kind, kind),
    ];

    /// <summary>A JSON array (floats round-trip exactly).</summary>
    internal static string Json<T>(IEnumerable<T> values) => JsonSerializer.Serialize(values);
}
