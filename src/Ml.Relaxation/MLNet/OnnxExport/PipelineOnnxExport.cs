using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Onnx;
using Ml.Relaxation.MLNet.DiscreteVae;
using Ml.Relaxation.MLNet.FeatureSelection;
using Ml.Relaxation.Onnx;
using Ml.Relaxation.Onnx.Editing;

namespace Ml.Relaxation.MLNet.OnnxExport;

/// <summary>
/// Converts an ML.NET model that may contain gated feature selectors to ONNX: ML.NET's own converter does the work on
/// a copy of the model in which each selector's export guard is swapped for an exportable copy (and its size check
/// left out); the result's slot droppers are then repaired to score batches (see
/// <see cref="OnnxModelEditor.RepairSlotGathers"/>), the outputs of tree ensembles that ONNX cannot type are declared
/// (<see cref="OnnxModelEditor.DeclareTreeEnsembleOutputs"/>) and the selectors are described in the metadata.
/// </summary>
internal static class PipelineOnnxExport
{
    /// <summary>The converted model's bytes; <paramref name="outputColumns"/> empty keeps every output column.</summary>
    public static byte[] Convert(MLContext context, ITransformer model, IDataView input, string[] outputColumns)
    {
        var rewriter = new Rewriter(context);
        ITransformer exportable = rewriter.Visit(model, input).Replacement
            ?? throw new ArgumentException("The model has no step that can be exported.", nameof(model));

        byte[] bytes;
        using (var stream = new MemoryStream())
        {
            if (outputColumns.Length == 0) context.Model.ConvertToOnnx(exportable, input, stream);
            else context.Model.ConvertToOnnx(exportable, input, stream, outputColumns);
            bytes = stream.ToArray();
        }
        (bytes, int repaired) = OnnxModelEditor.RepairSlotGathers(bytes);
        (bytes, _) = OnnxModelEditor.GatherBeforeScale(bytes);
        (bytes, _) = OnnxModelEditor.DeclareTreeEnsembleOutputs(bytes);
        return OnnxModelEditor.SetMetadata(bytes, SelectorOnnxMetadata.ForPipeline(rewriter.Selectors, repaired));
    }

    /// <summary>Rebuilds the transformer tree with exportable steps, threading the data through to know each step's input.</summary>
    private sealed class Rewriter(MLContext context)
    {
        private const string ScoreKind = "selection frequency (GatedFeatureScore.Score): the share of the stability fits in which "
            + "the slot's gate ended more likely open than shut";

        private (IReadOnlyList<float> Scores, string Kind)? _pendingScores;
        private PendingSelector? _selector;
        private bool _skipSizeCheckDrop;

        public List<SelectorOnnxDescription> Selectors { get; } = [];

        public (ITransformer? Replacement, IDataView Output) Visit(ITransformer transformer, IDataView input)
        {
            switch (transformer)
            {
                case GatedFeatureSelectorTransformer selector:
                    return Visit(selector.AppliedTransformers, input);
                case DiscreteVaeTransformer vae:
                    throw new NotSupportedException(DiscreteVaeMessage($"the discrete VAE (columns '{vae.CodesColumnName}', '{vae.OneHotColumnName}', '{vae.ProbabilitiesColumnName}')"));
                case OnnxTransformer:
                    throw new NotSupportedException(DiscreteVaeMessage("an OnnxTransformer (what the discrete VAE becomes after Model.Load, or ApplyOnnxModel)"));
                case IEnumerable<ITransformer> chain:
                    return VisitChain(transformer, chain, input);
            }

            if (_skipSizeCheckDrop && transformer is ColumnSelectingTransformer)
            {
                _skipSizeCheckDrop = false;
                return (null, input); // dropped the size check's column, which the export leaves out
            }
            DataViewSchema before = input.Schema;
            IDataView output = transformer.Transform(input);
            string? added = output.Schema.Count > before.Count ? output.Schema[output.Schema.Count - 1].Name : null;
            if (added is null) return (transformer, output);

            if (transformer is ColumnCopyingTransformer && added.StartsWith(StatisticsColumn.Prefix, StringComparison.Ordinal))
            {
                // The selector's statistics ride along in the name of a dropped column (StatisticsColumn), also after Load.
                var found = new List<GatedSelectorStatistics>();
                StatisticsColumn.Collect(transformer, before, found);
                _pendingScores = (found[0].FeatureScores.OrderBy(f => f.SlotIndex).Select(f => f.Score).ToArray(), ScoreKind);
                return (transformer, output);
            }
            if (transformer is ApproximatedKernelTransformer && GateApplication.Columns.TryParse(added, "SizeCheck") is not null)
            {
                _skipSizeCheckDrop = true;
                return (null, input); // a column dropped at once that only checks the input's size: nothing to export
            }
            if (transformer is NormalizingTransformer normalizer && GateApplication.Columns.TryParse(added, "Gated") is { } names)
                _selector = new PendingSelector(names.Output, GateApplication.ReadGates(normalizer), SlotNames(output.Schema[added]));
            else if (_selector is { Mode: null } pending && transformer is MissingValueReplacingTransformer)
                pending.Mode = GatedOutputMode.GatedVector;
            if (transformer is ExpressionTransformer && GateApplication.Columns.TryParse(added, "Guard") is { } guard)
            {
                ITransformer copy = context.Transforms.CopyColumns(guard.Guard, guard.Gated).Fit(input);
                Complete(guard.Output);
                return (copy, copy.Transform(input));
            }
            return (transformer, output);
        }

        private (ITransformer?, IDataView) VisitChain(ITransformer original, IEnumerable<ITransformer> chain, IDataView input)
        {
            var steps = new List<ITransformer>();
            bool changed = false;
            IDataView view = input;
            foreach (ITransformer step in chain)
            {
                (ITransformer? replacement, view) = Visit(step, view);
                changed |= !ReferenceEquals(replacement, step);
                if (replacement is not null) steps.Add(replacement);
            }
            return (changed ? new TransformerChain<ITransformer>([.. steps]) : original, view);
        }

        private void Complete(string outputColumn)
        {
            if (_selector is not { } s || s.OutputColumn != outputColumn)
                throw new InvalidOperationException($"The gated selector writing column '{outputColumn}' is missing its gate normalizer; was the model edited?");
            var scores = _pendingScores;
            Selectors.Add(new SelectorOnnxDescription(s.OutputColumn, s.Mode ?? GatedOutputMode.KeptSlots, s.Gates, s.SlotNames,
                scores?.Scores, scores?.Kind ?? "unknown"));
            _selector = null;
            _pendingScores = null;
        }

        private static string[] SlotNames(DataViewSchema.Column column)
        {
            int size = column.Type is VectorDataViewType vector ? vector.Size : 1;
            var names = new string[size];
            Array.Fill(names, "");
            if (column.HasSlotNames())
            {
                VBuffer<ReadOnlyMemory<char>> buffer = default;
                column.GetSlotNames(ref buffer);
                foreach (var (index, value) in buffer.Items()) names[index] = value.ToString();
            }
            return names;
        }

        private static string DiscreteVaeMessage(string what) =>
            $"The model contains {what}, which ML.NET runs as an ONNX graph inside its OnnxTransformer; ML.NET's converter cannot export "
            + "that transformer. Export the encoder itself with DiscreteVaeTransformer.GetEncoderOnnx() (and the decoder with GetDecoderOnnx()), "
            + "and convert the other steps of the pipeline separately.";

        private sealed class PendingSelector(string outputColumn, float[] gates, string[] slotNames)
        {
            public string OutputColumn { get; } = outputColumn;
            public float[] Gates { get; } = gates;
            public string[] SlotNames { get; } = slotNames;
            public GatedOutputMode? Mode { get; set; }
        }
    }
}
