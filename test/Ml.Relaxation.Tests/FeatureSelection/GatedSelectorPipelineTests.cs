using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.FeatureSelection;
using Ml.Relaxation.Models.GatedSelection;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>The fitted selector inside ML.NET pipelines: outputs, slot names, Save/Load, ONNX.</summary>
public class GatedSelectorPipelineTests(SelectorFixture fixture) : IClassFixture<SelectorFixture>
{
    [Fact]
    public void Keeps_k_slots_in_original_order_with_their_slot_names_and_original_values()
    {
        var t = fixture.Selector;
        Assert.Equal(SelectorFixture.K, t.KeptSlotIndices.Count);
        Assert.Equal(t.KeptSlotIndices.Order(), t.KeptSlotIndices);
        Assert.Equal(t.KeptSlotIndices.Select(j => fixture.SlotNames[j]), t.KeptSlotNames);
        Assert.All(Enumerable.Range(0, SelectorFixture.Slots), j => Assert.Equal(t.KeptSlotIndices.Contains(j) ? 1f : 0f, t.AppliedGates[j]));
        Assert.Equal(SelectorFixture.Slots, t.FeatureScores.Count);
        Assert.Equal(Enumerable.Range(0, SelectorFixture.Slots), t.FeatureScores.Select(f => f.SlotIndex).Order());
        Assert.Equal(t.KeptSlotIndices, t.FeatureScores.Take(SelectorFixture.K).Select(f => f.SlotIndex).Order());
        Assert.Equal(fixture.Options.Epochs, t.History.Count);

        var output = t.Transform(fixture.Data);
        var column = output.Schema["Features"];
        Assert.Equal(SelectorFixture.K, ((VectorDataViewType)column.Type).Size);
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        Assert.Equal(t.KeptSlotNames, names.DenseValues().Select(n => n.ToString()));
        var rows = output.GetColumn<VBuffer<float>>("Features").Take(50).Select(v => v.DenseValues().ToArray()).ToArray();
        for (int i = 0; i < rows.Length; i++)
            Assert.Equal(t.KeptSlotIndices.Select(j => fixture.X[i][j]), rows[i]);
    }

    [Fact]
    public void Gated_vector_mode_keeps_the_size_with_dropped_slots_exactly_zero()
    {
        var ml = fixture.Context;
        var options = new GatedFeatureSelectorOptions
        {
            MaximumFeatureCount = 3, Seed = 1, Epochs = 5, StabilityRounds = 2, OutputMode = GatedOutputMode.GatedVector,
            KeptGateValue = KeptGateValue.TestTimeGate, OutputColumnName = "Gated",
        };
        var t = ml.Relaxation().SelectFeaturesWithGates(options).Fit(fixture.Data);
        var rows = t.Transform(fixture.Data).GetColumn<VBuffer<float>>("Gated").Take(50).Select(v => v.DenseValues().ToArray()).ToArray();
        Assert.InRange(t.KeptSlotIndices.Count, 1, 3);
        for (int i = 0; i < rows.Length; i++)
        {
            float[] values = rows[i];
            Assert.Equal(SelectorFixture.Slots, values.Length);
            for (int j = 0; j < values.Length; j++)
            {
                if (!t.KeptSlotIndices.Contains(j)) Assert.Equal(0f, values[j]);
                else Assert.Equal(fixture.X[i][j] * t.AppliedGates[j], values[j], 1e-6f * Math.Abs(fixture.X[i][j]));
            }
        }
    }

    [Fact]
    public void A_pipeline_with_the_selector_saves_loads_in_a_fresh_context_and_scores_the_same()
    {
        var ml = fixture.Context;
        var model = ml.Relaxation().SelectFeaturesWithGates(fixture.Options)
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 20));
        var data = fixture.Data;
        var fitted = model.Fit(data);
        var path = Path.Combine(Path.GetTempPath(), $"gated-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(fitted, data.Schema, path);
            var fresh = new MLContext(seed: 99);
            var loaded = fresh.Model.Load(path, out var schema);
            Assert.Equal(data.Schema.Count, schema.Count);
            float[] expected = [.. fitted.Transform(data).GetColumn<float>("Score")];
            float[] actual = [.. loaded.Transform(data).GetColumn<float>("Score")];
            Assert.Equal(expected, actual);
            // the gates are readable back from the loaded built-in normalizer
            var normalizer = ((IEnumerable<ITransformer>)((TransformerChain<ITransformer>)loaded).First()).OfType<Microsoft.ML.Transforms.NormalizingTransformer>().Single();
            var scale = ((Microsoft.ML.Transforms.NormalizingTransformer.AffineNormalizerModelParameters<System.Collections.Immutable.ImmutableArray<float>>)
                ((Microsoft.ML.Transforms.NormalizingTransformer)normalizer).GetNormalizerModelParameters(0)).Scale;
            var selector = ((IEnumerable<ITransformer>)fitted).OfType<GatedFeatureSelectorTransformer>().Single();
            Assert.Equal(selector.AppliedGates, scale);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Prediction_engine_works_on_single_rows()
    {
        var ml = fixture.Context;
        var engine = ml.Model.CreatePredictionEngine<SelectionData.Row<bool>, FeaturesRow>(fixture.Selector, inputSchemaDefinition: SchemaFor());
        var row = new SelectionData.Row<bool> { Features = fixture.X[7], Label = true };
        Assert.Equal(fixture.Selector.KeptSlotIndices.Select(j => fixture.X[7][j]), engine.Predict(row).Features);
    }

    [Fact]
    public void ConvertToOnnx_gated_vector_selector_plus_trainer_scores_batches_the_same_in_onnx_runtime()
    {
        var options = new GatedFeatureSelectorOptions
        {
            MaximumFeatureCount = SelectorFixture.K, Seed = 3, Epochs = 30, StabilityRounds = 2, OutputMode = GatedOutputMode.GatedVector,
        };
        var (expected, onnx) = ExportScored(options);
        float[] actual = OnnxScores(onnx, 0, fixture.X.Length);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-4f + 1e-5f * Math.Abs(expected[i]));
    }

    [Fact]
    public void ConvertToOnnx_kept_slots_selector_plus_trainer_scores_batches_the_same_in_onnx_runtime()
    {
        // ML.NET 5.0.1 exports its slot dropper (SelectFeaturesBasedOnCount) as GatherElements with [1 x k] indices,
        // which scores one row per run; mlContext.Relaxation().ConvertToOnnx repairs it (test/.../Onnx for the rest).
        var (expected, onnx) = ExportScored(fixture.Options);
        float[] actual = OnnxScores(onnx, 0, fixture.X.Length);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-4f + 1e-5f * Math.Abs(expected[i]));
    }

    private (float[] Scores, byte[] Onnx) ExportScored(GatedFeatureSelectorOptions options)
    {
        var ml = fixture.Context;
        var pipeline = ml.Relaxation().SelectFeaturesWithGates(options)
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 20));
        var fitted = pipeline.Fit(fixture.Data);
        using var stream = new MemoryStream();
        ml.Relaxation().ConvertToOnnx(fitted, fixture.Data, stream);
        Ml.Relaxation.Tests.Onnx.OnnxChecker.CheckIfInstalled(stream.ToArray());
        return ([.. fitted.Transform(fixture.Data).GetColumn<float>("Score")], stream.ToArray());
    }

    private float[] OnnxScores(byte[] onnx, int first, int rows)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(onnx, options);
        var inputs = new Dictionary<string, OrtValue>();
        try
        {
            foreach (var name in session.InputMetadata.Keys)
                inputs[name] = name == "Features"
                    ? OrtValue.CreateTensorValueFromMemory(fixture.X.Skip(first).Take(rows).SelectMany(r => r).ToArray(), [rows, SelectorFixture.Slots])
                    : OrtValue.CreateTensorValueFromMemory(new bool[rows], [rows, 1]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, [.. inputs.Keys], [.. inputs.Values], ["Score.output"]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            foreach (var v in inputs.Values) v.Dispose();
        }
    }

    private static SchemaDefinition SchemaFor()
    {
        var def = SchemaDefinition.Create(typeof(SelectionData.Row<bool>));
        def["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, SelectorFixture.Slots);
        return def;
    }

    private sealed class FeaturesRow
    {
        public float[] Features { get; set; } = [];
    }
}
