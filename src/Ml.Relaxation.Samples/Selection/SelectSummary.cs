using Ml.Relaxation.Samples.Output;

namespace Ml.Relaxation.Samples.Selection;

/// <summary>What <c>select</c> did, as written to <c>summary.json</c> and printed by <c>--json</c>.</summary>
/// <param name="Command">Always <c>select</c>.</param>
/// <param name="Data">The data and its split.</param>
/// <param name="Settings">The options the run used, defaults filled in.</param>
/// <param name="Kept">The kept features, highest score first.</param>
/// <param name="ScoreName">What the scores measure.</param>
/// <param name="Features">Every feature with its score, highest first.</param>
/// <param name="Metrics">Held-out quality of the downstream model on the kept columns and on the baselines' columns.</param>
/// <param name="Training">The selector's training history, one entry per epoch.</param>
/// <param name="Seconds">Wall time of each step (<c>selector</c>: fitting the gated selector and its downstream model).</param>
/// <param name="Files">Full paths of what the run wrote.</param>
/// <param name="Warnings">Anything the user should look at.</param>
internal sealed record SelectSummary(string Command, DataSummary Data, SelectSettings Settings, IReadOnlyList<FeatureScore> Kept, string ScoreName,
    IReadOnlyList<FeatureScore> Features, SelectMetrics Metrics, IReadOnlyList<SelectEpoch> Training, IReadOnlyDictionary<string, double> Seconds,
    SelectFiles Files, IReadOnlyList<string> Warnings);

/// <summary>The options of a <c>select</c> run.</summary>
internal sealed record SelectSettings(int K, float? Lambda, int Epochs, int Seed, int Threads, bool SkipMissing);

/// <summary>
/// One metric on the held-out rows for the same downstream model trained on: the gated selector's k columns, mutual
/// information's k columns, and every column (a reference, not a selector).
/// </summary>
internal sealed record SelectMetrics(string Metric, string DownstreamModel, double? GatedSelector, double? MutualInformation, double? AllFeatures,
    double? GatedSelectorReloaded, IReadOnlyList<string> MutualInformationKept);

/// <summary>One epoch of the selector's training.</summary>
internal sealed record SelectEpoch(int Epoch, double TrainingLoss, double? ValidationLoss, double ExpectedL0, int GatesOpen);

/// <summary>The files of a <c>select</c> run (Onnx is null when the export failed; see the warnings).</summary>
internal sealed record SelectFiles(string Folder, string Model, string? Onnx, IReadOnlyList<string> Plots, string Summary, string Log);
