using Microsoft.ML;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.FeatureSelection;

namespace Ml.Relaxation.Samples.Selection;

/// <summary>One feature's score as the selector ranked it.</summary>
/// <param name="Index">The slot index in the input feature vector.</param>
/// <param name="Name">The slot's name (the CSV column).</param>
/// <param name="Score">The selector's score for the slot (higher ranks first).</param>
/// <param name="Kept">Whether the fitted selector keeps the slot.</param>
internal sealed record FeatureScore(int Index, string Name, double Score, bool Kept);

/// <summary>
/// Everything the samples read from the fitted gated selector that is specific to it, in one place: the per-feature
/// score that the plot and the summary show, and the ONNX export of a pipeline that contains it.
/// </summary>
internal static class SelectorReadout
{
    /// <summary>
    /// What <see cref="Scores"/> measures, for the plot's axis and the summary: the measure the selector ranked by (the
    /// selection frequency, or with k the Concrete selector's pick frequency when its k slots won the held-out check).
    /// </summary>
    public static string ScoreName(GatedFeatureSelectorTransformer selector) =>
        selector.Statistics.RankedBySubsetFrequency ? "pick frequency (joint subset of k)" : "selection frequency";

    /// <summary>Every slot's score in the selector's ranking (best first), with the kept slots marked.</summary>
    public static IReadOnlyList<FeatureScore> Scores(GatedFeatureSelectorTransformer selector, IReadOnlyList<string> slotNames)
    {
        bool bySubset = selector.Statistics.RankedBySubsetFrequency;
        return [.. selector.FeatureScores.Select(f => new FeatureScore(f.SlotIndex, slotNames[f.SlotIndex], bySubset ? f.SubsetFrequency : f.Score, f.IsKept))];
    }

    /// <summary>
    /// Writes <paramref name="model"/> (the selector and the downstream model) as an ONNX graph that scores batches
    /// (ML.NET's plain <c>ConvertToOnnx</c> refuses a pipeline with the selector).
    /// </summary>
    public static void ExportOnnx(MLContext ml, ITransformer model, IDataView inputSample, Stream destination) =>
        ml.Relaxation().ConvertToOnnx(model, inputSample, destination);
}
