using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.FeatureSelection;
using Ml.Relaxation.Models.GatedSelection;

namespace Ml.Relaxation.Samples;

/// <summary>
/// Learns Hard Concrete (L0) gates jointly with a small predictor, keeps at most k features, and trains an
/// ordinary ML.NET model on them; compares with ML.NET's mutual-information selector at the same k, saves and
/// reloads the pipeline, and exports it to ONNX.
/// </summary>
internal static class FeatureSelectionSample
{
    public static void Run(CommandLine args)
    {
        var ml = new MLContext(seed: 1);
        string task = (args.Text("task") ?? (args.Text("dataset") == "wine" ? "multiclass" : "binary")).ToLowerInvariant();
        string path = args.Text("data") ?? EmbeddedData.ExtractToTempFile(args.Text("dataset") == "wine" ? "wine.csv" : "breast_cancer.csv");
        var data = CsvData.Load(ml, path, args.Text("label") ?? "Label", task == "binary" ? DataKind.Boolean : DataKind.Single);
        if (task == "multiclass") data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);
        int slots = ((VectorDataViewType)data.Schema["Features"].Type).Size;
        int k = args.Int("k", Math.Min(5, slots));
        Console.WriteLine($"Gated feature selection on {Path.GetFileName(path)}: {slots} features, task {task}, keep k = {k}");

        var selector = ml.Relaxation().SelectFeaturesWithGates(new GatedFeatureSelectorOptions
        {
            MaximumFeatureCount = k,
            Task = task switch
            {
                "binary" => GatedSelectionTask.BinaryClassification,
                "multiclass" => GatedSelectionTask.MulticlassClassification,
                "regression" => GatedSelectionTask.Regression,
                _ => throw new ArgumentException($"--task expects binary, multiclass or regression; got '{task}'."),
            },
            Epochs = args.Int("epochs", 50),
            Seed = 1,
        });
        var gated = selector.Append(ml.Transforms.NormalizeMeanVariance("Features")).Append(Trainer(ml, task));
        var model = gated.Fit(split.TrainSet);
        var gates = model.OfType<GatedFeatureSelectorTransformer>().Single();
        Console.WriteLine($"  kept: {string.Join(", ", gates.KeptSlotNames)}");
        var last = gates.History[^1];
        Console.WriteLine($"  {gates.History.Count} epochs; last: training loss {last.TrainingLoss:F4}, validation loss {last.ValidationLoss:F4}, gates open {last.OpenGates}; stability fits {gates.Statistics.StabilityFits}");
        double ours = Score(ml, task, model.Transform(split.TestSet));

        var mutualInformation = ml.Transforms.FeatureSelection.SelectFeaturesBasedOnMutualInformation("Features", slotsInOutput: k)
            .Append(ml.Transforms.NormalizeMeanVariance("Features")).Append(Trainer(ml, task));
        double baseline = Score(ml, task, mutualInformation.Fit(split.TrainSet).Transform(split.TestSet));
        Console.WriteLine($"  held-out {Metric(task)}: gated selector {ours:F4}, mutual information {baseline:F4} (same k, split and downstream model)");

        string zip = Path.Combine(Path.GetTempPath(), "gated-selector.zip"), onnx = Path.Combine(Path.GetTempPath(), "gated-selector.onnx");
        ml.Model.Save(model, split.TrainSet.Schema, zip);
        double reloaded = Score(ml, task, new MLContext().Model.Load(zip, out _).Transform(split.TestSet));
        using (var file = File.Create(onnx)) ml.Model.ConvertToOnnx(model, split.TrainSet, file);
        Console.WriteLine($"  saved {zip}; reloaded in a fresh MLContext: {Metric(task)} {reloaded:F4}; ONNX written to {onnx}");
    }

    private static IEstimator<ITransformer> Trainer(MLContext ml, string task) => task switch
    {
        "binary" => ml.BinaryClassification.Trainers.SdcaLogisticRegression(),
        "multiclass" => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(),
        _ => ml.Regression.Trainers.Sdca(),
    };

    private static string Metric(string task) => task switch { "binary" => "AUC", "multiclass" => "macro accuracy", _ => "R^2" };

    private static double Score(MLContext ml, string task, IDataView scored) => task switch
    {
        "binary" => ml.BinaryClassification.Evaluate(scored).AreaUnderRocCurve,
        "multiclass" => ml.MulticlassClassification.Evaluate(scored).MacroAccuracy,
        _ => ml.Regression.Evaluate(scored).RSquared,
    };
}
