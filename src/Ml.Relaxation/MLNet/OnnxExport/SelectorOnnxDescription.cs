using Ml.Relaxation.MLNet.FeatureSelection;

namespace Ml.Relaxation.MLNet.OnnxExport;

/// <summary>What an exported ONNX file records about one gated feature selector in the pipeline (its metadata).</summary>
/// <param name="OutputColumn">The selector's output column.</param>
/// <param name="Mode">What the output holds.</param>
/// <param name="Gates">The multiplier applied per input slot (0 for dropped slots).</param>
/// <param name="SlotNames">The input's slot names (empty strings where it has none).</param>
/// <param name="Scores">The per-slot score the slots were ranked by, or null where it is not known (a model loaded
/// with <c>Model.Load</c> holds only the gates).</param>
/// <param name="ScoreKind">What <paramref name="Scores"/> are.</param>
internal sealed record SelectorOnnxDescription(string OutputColumn, GatedOutputMode Mode, IReadOnlyList<float> Gates,
    IReadOnlyList<string> SlotNames, IReadOnlyList<float>? Scores, string ScoreKind)
{
    /// <summary>Indices of the kept slots (gate not 0), ascending.</summary>
    public int[] KeptSlots => [.. Enumerable.Range(0, Gates.Count).Where(j => Gates[j] != 0f)];
}
