using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Ml.Relaxation.Data;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.FeatureSelection;

namespace Ml.Relaxation.Tests.Reliability.Estimators;

/// <summary>
/// The reliability check the gated selector's own suite (GatedSelectorReliabilityTests) does not run: corrupt or
/// truncated model files, as an ML.NET zip and as the ONNX export of the fitted selector.
/// </summary>
public sealed class GatedSelectorCorruptModelTests
{
    [Theory]
    [InlineData(GatedOutputMode.KeptSlots)]
    [InlineData(GatedOutputMode.GatedVector)]
    public void Corrupt_model_zips_and_onnx_exports_fail_clearly(GatedOutputMode mode)
    {
        var ctx = new MLContext(seed: 1);
        IDataView data = BadData.Clean(ctx, 5, LabelTask.BinaryClassification);
        var options = new GatedFeatureSelectorOptions { MaximumFeatureCount = 2, Epochs = 3, Seed = 1, OutputMode = mode };
        var model = ctx.Relaxation().SelectFeaturesWithGates(options).Fit(data);

        using var zip = new MemoryStream();
        ctx.Model.Save(model, data.Schema, zip);
        CorruptModels.AssertFailClearly(zip.ToArray(), bytes =>
        {
            var loaded = new MLContext(seed: 2).Model.Load(new MemoryStream(bytes), out _);
            using var cursor = loaded.Transform(data).GetRowCursor(loaded.GetOutputSchema(data.Schema));
            cursor.MoveNext();
        });

        using var onnx = new MemoryStream();
        ctx.Relaxation().ConvertToOnnx(model, data, onnx);
        Ml.Relaxation.Tests.Onnx.OnnxChecker.CheckIfInstalled(onnx.ToArray());
        CorruptModels.AssertFailClearly(onnx.ToArray(), bytes => new InferenceSession(bytes).Dispose());
    }
}
