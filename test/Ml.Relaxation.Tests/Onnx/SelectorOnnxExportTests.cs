using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.FeatureSelection;
using Ml.Relaxation.Models.GatedSelection;
using Ml.Relaxation.Onnx;
using Ml.Relaxation.Onnx.Runtime;
using Ml.Relaxation.Tests.FeatureSelection;

namespace Ml.Relaxation.Tests.Onnx;

/// <summary>Both output modes of the selector, alone and before a built-in trainer, fitted once on 1,000 synthetic rows.</summary>
public sealed class ExportedSelectors
{
    public const string Collection = "Exported selectors";
    public const int Rows = 1000, Slots = 12, K = 4;

    public ExportedSelectors()
    {
        Context = new MLContext(seed: 5);
        var (x, y, _) = SelectionData.LinearAndXor(Rows, Slots, seed: 5);
        foreach (float[] row in x) for (int j = 0; j < Slots; j++) row[j] = 3f + (j + 1) * row[j];
        X = x;
        Labels = y;
        SlotNames = [.. Enumerable.Range(0, Slots).Select(j => $"s{j}")];
        Data = SelectionData.View(Context, x, y, SlotNames);
        foreach (GatedOutputMode mode in Enum.GetValues<GatedOutputMode>())
        {
            var options = new GatedFeatureSelectorOptions
            {
                MaximumFeatureCount = K, Seed = 5, Epochs = 4, OutputMode = mode, KeptGateValue = KeptGateValue.TestTimeGate,
            };
            var selector = Context.Relaxation().SelectFeaturesWithGates(options).Fit(Data);
            Selectors[mode] = selector;
            Pipelines[mode] = new TransformerChain<ITransformer>(selector,
                Context.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 10).Fit(selector.Transform(Data)));
        }
    }

    public MLContext Context { get; }
    public float[][] X { get; }
    public bool[] Labels { get; }
    public string[] SlotNames { get; }
    public IDataView Data { get; }
    public Dictionary<GatedOutputMode, GatedFeatureSelectorTransformer> Selectors { get; } = [];
    public Dictionary<GatedOutputMode, ITransformer> Pipelines { get; } = [];

    /// <summary>Converts with <c>mlContext.Relaxation().ConvertToOnnx</c> and checks the graph where the checker is installed.</summary>
    public byte[] Export(ITransformer model, DataViewSchema? schema = null)
    {
        using var stream = new MemoryStream();
        if (schema is null) Context.Relaxation().ConvertToOnnx(model, Data, stream);
        else Context.Relaxation().ConvertToOnnx(model, schema, stream);
        OnnxChecker.CheckIfInstalled(stream.ToArray());
        return stream.ToArray();
    }

    /// <summary>Scores rows [first, first + count) with ONNX Runtime on the CPU.</summary>
    public OnnxScores Score(OnnxScorer scorer, float[][] x, int first, int count) => scorer.Score(count,
        OnnxInput.Of("Features", [.. x.Skip(first).Take(count).SelectMany(r => r)]),
        OnnxInput.Of("Label", new bool[count]));

    public static float[][] Column(IDataView view, string name) =>
        [.. view.GetColumn<VBuffer<float>>(name).Select(v => v.DenseValues().ToArray())];
}

[CollectionDefinition(ExportedSelectors.Collection)]
public sealed class ExportedSelectorsCollection : ICollectionFixture<ExportedSelectors>;

[Collection(ExportedSelectors.Collection)]
public sealed class SelectorOnnxExportTests(ExportedSelectors s)
{
    private const float Tolerance = 1e-5f;

    [Theory]
    [InlineData(GatedOutputMode.KeptSlots)]
    [InlineData(GatedOutputMode.GatedVector)]
    public void The_selector_alone_scores_batches_of_1_7_and_1000_as_ML_NET_does(GatedOutputMode mode)
    {
        var selector = s.Selectors[mode];
        float[][] expected = ExportedSelectors.Column(selector.Transform(s.Data), "Features");
        Assert.Equal(mode == GatedOutputMode.KeptSlots ? ExportedSelectors.K : ExportedSelectors.Slots, expected[0].Length);
        using var scorer = new OnnxScorer(s.Export(selector));
        foreach (int batch in new[] { 1, 7, ExportedSelectors.Rows })
        {
            int first = ExportedSelectors.Rows - batch;
            OnnxScores scores = s.Score(scorer, s.X, first, batch);
            float[] actual = scores.Get<float>("Features.output");
            Assert.Equal([batch, expected[0].Length], scores.Shape("Features.output"));
            for (int i = 0; i < batch; i++)
                for (int j = 0; j < expected[0].Length; j++)
                    Assert.Equal(expected[first + i][j], actual[i * expected[0].Length + j], Tolerance);
        }
    }

    [Theory]
    [InlineData(GatedOutputMode.KeptSlots)]
    [InlineData(GatedOutputMode.GatedVector)]
    public void A_pipeline_with_a_built_in_trainer_scores_batches_of_1_7_and_1000_as_ML_NET_does(GatedOutputMode mode)
    {
        IDataView scored = s.Pipelines[mode].Transform(s.Data);
        float[] score = [.. scored.GetColumn<float>("Score")];
        float[] probability = [.. scored.GetColumn<float>("Probability")];
        using var scorer = new OnnxScorer(s.Export(s.Pipelines[mode]));
        foreach (int batch in new[] { 1, 7, ExportedSelectors.Rows })
        {
            OnnxScores scores = s.Score(scorer, s.X, 0, batch);
            float[] onnxScore = scores.Get<float>("Score.output"), onnxProbability = scores.Get<float>("Probability.output");
            Assert.Equal(batch, onnxScore.Length);
            for (int i = 0; i < batch; i++)
            {
                Assert.Equal(score[i], onnxScore[i], Tolerance * Math.Max(1, Math.Abs(score[i])));
                Assert.Equal(probability[i], onnxProbability[i], Tolerance);
            }
        }
    }

    [Theory]
    [InlineData(GatedOutputMode.KeptSlots)]
    [InlineData(GatedOutputMode.GatedVector)]
    public void The_plain_ML_NET_converter_fails_loudly_instead_of_exporting_a_wrong_graph(GatedOutputMode mode)
    {
        foreach (ITransformer model in new ITransformer[] { s.Selectors[mode], s.Pipelines[mode] })
        {
            using var stream = new MemoryStream();
            Exception e = Assert.ThrowsAny<Exception>(() => s.Context.Model.ConvertToOnnx(model, s.Data, stream));
            Assert.True(e is InvalidOperationException or KeyNotFoundException, e.ToString());
        }
    }

    [Theory]
    [InlineData(GatedOutputMode.KeptSlots)]
    [InlineData(GatedOutputMode.GatedVector)]
    public void A_loaded_pipeline_exports_the_same_graph_and_describes_the_selector(GatedOutputMode mode)
    {
        using var zip = new MemoryStream();
        s.Context.Model.Save(s.Pipelines[mode], s.Data.Schema, zip);
        zip.Position = 0;
        ITransformer loaded = new MLContext(seed: 1).Model.Load(zip, out DataViewSchema schema);
        Assert.ThrowsAny<Exception>(() => s.Context.Model.ConvertToOnnx(loaded, s.Data, new MemoryStream()));

        using var fromMemory = new OnnxScorer(s.Export(s.Pipelines[mode]));
        using var fromFile = new OnnxScorer(s.Export(loaded, schema));
        Assert.Equal(s.Score(fromMemory, s.X, 0, 50).Get<float>("Score.output"), s.Score(fromFile, s.X, 0, 50).Get<float>("Score.output"));

        var selector = s.Selectors[mode];
        foreach (OnnxScorer scorer in new[] { fromMemory, fromFile })
        {
            IReadOnlyDictionary<string, string> m = scorer.Metadata;
            string p = OnnxMetadata.SelectorPrefix + "0.";
            Assert.Equal("Ml.Relaxation", m[OnnxMetadata.Producer]);
            Assert.Equal(OnnxMetadata.LibraryVersion, m[OnnxMetadata.Version]);
            Assert.Equal(OnnxMetadata.PipelineKind, m[OnnxMetadata.Kind]);
            Assert.Equal("1", m[OnnxMetadata.SelectorCount]);
            Assert.Equal(mode == GatedOutputMode.KeptSlots ? "1" : "0", m[OnnxMetadata.RepairedSlotDroppers]);
            Assert.Equal("Features", m[p + "output_column"]);
            Assert.Equal(mode.ToString(), m[p + "output_mode"]);
            Assert.Equal(ExportedSelectors.Slots.ToString(), m[p + "slot_count"]);
            Assert.Equal(selector.KeptSlotIndices.Count.ToString(), m[p + "k"]);
            Assert.Equal(selector.KeptSlotIndices, JsonSerializer.Deserialize<int[]>(m[p + "kept_slot_indices"]));
            Assert.Equal(selector.KeptSlotNames, JsonSerializer.Deserialize<string[]>(m[p + "kept_slot_names"]));
            // the multipliers the graph applies: the gate normalizer's scales, within 1 ulp of AppliedGates
            float[] gates = JsonSerializer.Deserialize<float[]>(m[p + "gates"])!;
            Assert.Equal(selector.AppliedGates.Count, gates.Length);
            for (int j = 0; j < gates.Length; j++) Assert.Equal(selector.AppliedGates[j], gates[j], 2e-7f * selector.AppliedGates[j]);
        }
        // The scores, in slot order, from memory and from the statistics a loaded model carries.
        string scores = OnnxMetadata.SelectorPrefix + "0.gate_scores";
        float[] expected = [.. selector.FeatureScores.OrderBy(f => f.SlotIndex).Select(f => f.Score)];
        Assert.Equal(expected, JsonSerializer.Deserialize<float[]>(fromMemory.Metadata[scores]));
        Assert.Equal(expected, JsonSerializer.Deserialize<float[]>(fromFile.Metadata[scores]));
        Assert.Contains("selection frequency", fromFile.Metadata[OnnxMetadata.SelectorPrefix + "0.gate_score_kind"]);
    }

    [Fact]
    public void Gated_vector_mode_gives_exactly_0_in_dropped_slots_for_NaN_and_infinity_in_ML_NET_and_ONNX()
    {
        var selector = s.Selectors[GatedOutputMode.GatedVector];
        int kept = selector.KeptSlotIndices[0], dropped = Enumerable.Range(0, ExportedSelectors.Slots).First(j => !selector.KeptSlotIndices.Contains(j));
        float[][] x = [.. Enumerable.Range(0, 6).Select(i => (float[])s.X[i].Clone())];
        float[] odd = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, -7f, float.NaN];
        for (int i = 0; i < x.Length; i++) x[i][dropped] = odd[i];
        x[5][kept] = float.NaN;
        x[1][kept] = float.PositiveInfinity;

        float[][] mlnet = ExportedSelectors.Column(selector.Transform(SelectionData.View(s.Context, x, new bool[x.Length], s.SlotNames)), "Features");
        using var scorer = new OnnxScorer(s.Export(selector));
        float[] onnx = s.Score(scorer, x, 0, x.Length).Get<float>("Features.output");
        for (int i = 0; i < x.Length; i++)
        {
            float[] fromOnnx = onnx[(i * ExportedSelectors.Slots)..((i + 1) * ExportedSelectors.Slots)];
            foreach (float[] row in new[] { mlnet[i], fromOnnx })
            {
                Assert.Equal(0f, row[dropped]);
                for (int j = 0; j < ExportedSelectors.Slots; j++)
                    if (!selector.KeptSlotIndices.Contains(j)) Assert.Equal(0f, row[j]);
            }
            Assert.Equal(mlnet[i], fromOnnx);
        }
        Assert.Equal(float.PositiveInfinity, mlnet[1][kept]);
        Assert.Equal(0f, mlnet[5][kept]); // documented: no built-in selects per slot, so a NaN in a kept slot becomes 0 too
    }

    [Fact]
    public void Kept_slots_mode_keeps_a_NaN_in_a_kept_slot_and_ignores_whatever_is_in_dropped_slots()
    {
        var selector = s.Selectors[GatedOutputMode.KeptSlots];
        int kept = selector.KeptSlotIndices[1], dropped = Enumerable.Range(0, ExportedSelectors.Slots).First(j => !selector.KeptSlotIndices.Contains(j));
        float[][] x = [(float[])s.X[0].Clone(), (float[])s.X[0].Clone(), (float[])s.X[1].Clone()];
        x[1][dropped] = float.NaN;
        x[2][kept] = float.NaN;
        x[2][dropped] = float.NegativeInfinity;
        float[][] mlnet = ExportedSelectors.Column(selector.Transform(SelectionData.View(s.Context, x, new bool[3], s.SlotNames)), "Features");
        using var scorer = new OnnxScorer(s.Export(selector));
        float[] onnx = s.Score(scorer, x, 0, 3).Get<float>("Features.output");
        Assert.Equal(mlnet[0], mlnet[1]);
        Assert.True(float.IsNaN(mlnet[2][1]));
        Assert.Equal(mlnet.SelectMany(r => r), onnx);
    }

    [Theory]
    [InlineData(GatedOutputMode.KeptSlots)]
    [InlineData(GatedOutputMode.GatedVector)]
    public void The_output_keeps_the_slot_names_and_does_not_claim_to_be_normalized(GatedOutputMode mode)
    {
        var selector = s.Selectors[mode];
        DataViewSchema.Column column = selector.GetOutputSchema(s.Data.Schema)["Features"];
        Assert.False(column.IsNormalized());
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        Assert.Equal(mode == GatedOutputMode.KeptSlots ? selector.KeptSlotNames : s.SlotNames, names.DenseValues().Select(n => n.ToString()));
    }

    [Theory]
    [InlineData(GatedOutputMode.KeptSlots)]
    [InlineData(GatedOutputMode.GatedVector)]
    public void After_Load_a_feature_vector_of_the_wrong_size_gets_a_clear_error(GatedOutputMode mode)
    {
        using var zip = new MemoryStream();
        s.Context.Model.Save(s.Selectors[mode], s.Data.Schema, zip);
        zip.Position = 0;
        ITransformer loaded = new MLContext(seed: 1).Model.Load(zip, out _);
        float[][] narrow = [.. s.X.Take(3).Select(r => r[..8])];
        IDataView data = SelectionData.View(s.Context, narrow, new bool[3]);
        foreach (ITransformer model in new[] { loaded, s.Selectors[mode] })
        {
            var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => model.Transform(data));
            Assert.Contains("'Features'", e.Message);
            Assert.Contains("12", e.Message);
            Assert.Contains("8", e.Message);
        }
    }

    [Fact]
    public void A_multiclass_pipeline_scores_batches_with_a_text_label_or_a_key_label_as_its_input()
    {
        // ML.NET exports the label column as a graph input: a String for a text label mapped to a key in the pipeline,
        // a UInt32 for a label that already is a key.
        const int rows = 200;
        float[][] x = s.X[..rows];
        string[] text = [.. x.Select((r, i) => s.Labels[i] ? "yes" : r[0] > 3f ? "high" : "low")];
        IDataView data = SelectionData.View(s.Context, x, text, s.SlotNames);
        ITransformer toKey = s.Context.Transforms.Conversion.MapValueToKey("Label").Fit(data);
        uint[] keys = [.. toKey.Transform(data).GetColumn<uint>("Label")]; // 1 to 3 (0 is a missing key)
        // LoadFromEnumerable takes a key property counted from 0; the loaded view has no key values (as a key column read from a file).
        IDataView keyed = SelectionData.View(s.Context, x, [.. keys.Select(k => k - 1)], s.SlotNames, new KeyDataViewType(typeof(uint), 3));
        var options = new GatedFeatureSelectorOptions { MaximumFeatureCount = ExportedSelectors.K, Seed = 5, Epochs = 2, StabilityRounds = 2 };
        ITransformer selector = s.Context.Relaxation().SelectFeaturesWithGates(options).Fit(keyed);
        ITransformer trainer = s.Context.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 5).Fit(selector.Transform(keyed));
        var onKeys = new TransformerChain<ITransformer>(selector, trainer);
        var onText = new TransformerChain<ITransformer>(toKey, selector, trainer);
        float[] expected = [.. ExportedSelectors.Column(onText.Transform(data), "Score").SelectMany(r => r)];

        foreach (var (model, schema, label) in new[]
        {
            ((ITransformer)onText, data, OnnxInput.Of("Label", text[..7])),
            (onKeys, keyed, OnnxInput.Of("Label", keys[..7])),
        })
        {
            using var scorer = new OnnxScorer(s.Export(model, schema.Schema));
            Assert.Equal(label.ElementType, scorer.Inputs.Single(i => i.Name == "Label").ElementType);
            float[] actual = scorer.Score(7, OnnxInput.Of("Features", [.. x.Take(7).SelectMany(r => r)]), label).Get<float>("Score.output");
            Assert.Equal(7 * 3, actual.Length);
            for (int i = 0; i < actual.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5f);
        }
        Assert.Contains("index 1", Assert.Throws<ArgumentException>(() => OnnxInput.Of("Label", ["a", null!])).Message);
    }

    [Fact]
    public void A_multiclass_tree_model_after_the_selector_scores_batches_and_its_graph_declares_the_trees_outputs()
    {
        // ML.NET declares only a trainer's final outputs, and the checker infers no type for a TreeEnsembleRegressor's
        // output at the opset ML.NET writes: without the declaration it rejects the per-class calibration that reads it.
        const int rows = 200;
        float[][] x = s.X[..rows];
        uint[] classes = [.. x.Select((r, i) => s.Labels[i] ? 2u : r[0] > 3f ? 1u : 0u)];
        IDataView data = SelectionData.View(s.Context, x, classes, s.SlotNames, new KeyDataViewType(typeof(uint), 3));
        var options = new GatedFeatureSelectorOptions { MaximumFeatureCount = ExportedSelectors.K, Seed = 5, Epochs = 2, StabilityRounds = 2 };
        ITransformer selector = s.Context.Relaxation().SelectFeaturesWithGates(options).Fit(data);
        var trainer = s.Context.MulticlassClassification.Trainers.LightGbm(new Microsoft.ML.Trainers.LightGbm.LightGbmMulticlassTrainer.Options
        {
            NumberOfIterations = 5, NumberOfLeaves = 4, MinimumExampleCountPerLeaf = 5, Seed = 1, NumberOfThreads = 1,
        });
        var model = new TransformerChain<ITransformer>(selector, trainer.Fit(selector.Transform(data)));
        float[][] expected = ExportedSelectors.Column(model.Transform(data), "Score");
        uint[] keys = [.. data.GetColumn<uint>("Label")];

        byte[] onnx = s.Export(model, data.Schema); // checked there
        using var scorer = new OnnxScorer(onnx);
        foreach (int batch in new[] { 1, 7, rows })
        {
            float[] actual = scorer.Score(batch, OnnxInput.Of("Features", [.. x.Take(batch).SelectMany(r => r)]), OnnxInput.Of("Label", keys[..batch]))
                .Get<float>("Score.output");
            Assert.Equal(batch * 3, actual.Length);
            for (int i = 0; i < actual.Length; i++) Assert.Equal(expected[i / 3][i % 3], actual[i], 1e-5f);
        }
    }

    [Fact]
    public void ML_NET_s_own_feature_selector_is_repaired_too()
    {
        ITransformer model = s.Context.Transforms.FeatureSelection.SelectFeaturesBasedOnMutualInformation("Features", slotsInOutput: 3).Fit(s.Data);
        float[][] expected = ExportedSelectors.Column(model.Transform(s.Data), "Features");
        using var scorer = new OnnxScorer(s.Export(model));
        Assert.Equal("1", scorer.Metadata[OnnxMetadata.RepairedSlotDroppers]);
        Assert.Equal("0", scorer.Metadata[OnnxMetadata.SelectorCount]);
        Assert.Equal(expected.Take(7).SelectMany(r => r), s.Score(scorer, s.X, 0, 7).Get<float>("Features.output"));
    }
}

/// <summary>
/// Every kind of graph this library exports, through the reference checker (the parity tests also run it where it is
/// installed; this one is reported as skipped where it is not, so a missing checker shows).
/// </summary>
[Collection(ExportedSelectors.Collection)]
public sealed class OnnxCheckerTests(ExportedSelectors s)
{
    [OnnxCheckerTheory]
    [InlineData("selector KeptSlots")]
    [InlineData("selector GatedVector")]
    [InlineData("pipeline KeptSlots")]
    [InlineData("pipeline GatedVector")]
    [InlineData("ML.NET mutual information selector")]
    [InlineData("loaded pipeline GatedVector")]
    public void Every_exported_graph_passes_the_full_check(string what)
    {
        if (what.StartsWith("loaded"))
        {
            using var zip = new MemoryStream();
            s.Context.Model.Save(s.Pipelines[GatedOutputMode.GatedVector], s.Data.Schema, zip);
            zip.Position = 0;
            ITransformer loaded = new MLContext(seed: 1).Model.Load(zip, out DataViewSchema schema);
            OnnxChecker.AssertValid(s.Export(loaded, schema));
            return;
        }
        ITransformer model = what switch
        {
            "ML.NET mutual information selector" =>
                s.Context.Transforms.FeatureSelection.SelectFeaturesBasedOnMutualInformation("Features", slotsInOutput: 3).Fit(s.Data),
            _ when what.StartsWith("selector") => s.Selectors[Enum.Parse<GatedOutputMode>(what.Split(' ')[1])],
            _ => s.Pipelines[Enum.Parse<GatedOutputMode>(what.Split(' ')[1])],
        };
        using var stream = new MemoryStream();
        s.Context.Relaxation().ConvertToOnnx(model, s.Data, stream);
        OnnxChecker.AssertValid(stream.ToArray());
    }
}

/// <summary>The field-level edits of <c>OnnxModelEditor</c>, read back from an exported graph.</summary>
[Collection(ExportedSelectors.Collection)]
public sealed class OnnxModelEditorTests(ExportedSelectors s)
{
    [Fact]
    public void Kept_slots_are_gathered_before_they_are_scaled_so_dropped_slots_are_never_scaled()
    {
        byte[] onnx = s.Export(s.Selectors[GatedOutputMode.KeptSlots]);
        var graph = Ml.Relaxation.Onnx.Editing.ProtoField.Parse(Ml.Relaxation.Onnx.Editing.ProtoField.Parse(onnx).Single(f => f.Number == 7).Payload);
        var nodes = graph.Where(f => f.Number == 1).Select(f => Ml.Relaxation.Onnx.Editing.ProtoField.Parse(f.Payload)).ToList();
        string[] ops = [.. nodes.Select(n => n.Single(f => f.Number == 4).Text)];
        Assert.DoesNotContain("GatherElements", ops);
        Assert.True(Array.IndexOf(ops, "Gather") < Array.IndexOf(ops, "Scaler"), string.Join(", ", ops));
        var scale = nodes[Array.IndexOf(ops, "Scaler")].Where(f => f.Number == 5).Select(a => Ml.Relaxation.Onnx.Editing.ProtoField.Parse(a.Payload))
            .Single(a => a.Single(f => f.Number == 1).Text == "scale").Where(f => f.Number == 7).ToList();
        int values = scale.Sum(f => f.WireType == Ml.Relaxation.Onnx.Editing.ProtoWireType.Fixed32 ? 1 : f.Payload.Length / 4);
        Assert.Equal(ExportedSelectors.K, values);
    }
}
