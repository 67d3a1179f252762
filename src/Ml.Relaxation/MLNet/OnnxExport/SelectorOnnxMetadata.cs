using System.Globalization;
using Ml.Relaxation.Onnx;

namespace Ml.Relaxation.MLNet.OnnxExport;

/// <summary>The <c>metadata_props</c> entries of a converted pipeline (keys documented on <see cref="OnnxMetadata"/>).</summary>
internal static class SelectorOnnxMetadata
{
    public static List<KeyValuePair<string, string>> ForPipeline(IReadOnlyList<SelectorOnnxDescription> selectors, int repairedSlotDroppers)
    {
        var entries = OnnxMetadata.Header(OnnxMetadata.PipelineKind);
        entries.Add(new(OnnxMetadata.RepairedSlotDroppers, repairedSlotDroppers.ToString(CultureInfo.InvariantCulture)));
        entries.Add(new(OnnxMetadata.SelectorCount, selectors.Count.ToString(CultureInfo.InvariantCulture)));
        for (int i = 0; i < selectors.Count; i++)
        {
            SelectorOnnxDescription s = selectors[i];
            string prefix = OnnxMetadata.SelectorPrefix + i.ToString(CultureInfo.InvariantCulture) + ".";
            int[] kept = s.KeptSlots;
            entries.Add(new(prefix + "output_column", s.OutputColumn));
            entries.Add(new(prefix + "output_mode", s.Mode.ToString()));
            entries.Add(new(prefix + "slot_count", s.Gates.Count.ToString(CultureInfo.InvariantCulture)));
            entries.Add(new(prefix + "k", kept.Length.ToString(CultureInfo.InvariantCulture)));
            entries.Add(new(prefix + "kept_slot_indices", OnnxMetadata.Json(kept)));
            entries.Add(new(prefix + "kept_slot_names", OnnxMetadata.Json(kept.Select(j => s.SlotNames[j]))));
            entries.Add(new(prefix + "gates", OnnxMetadata.Json(s.Gates)));
            if (s.Scores is not null) entries.Add(new(prefix + "gate_scores", OnnxMetadata.Json(s.Scores)));
            entries.Add(new(prefix + "gate_score_kind", s.ScoreKind));
        }
        return entries;
    }
}
