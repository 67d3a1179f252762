using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.FeatureSelection;
using Xunit.Abstractions;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>The issue's real-data bar: on breast cancer, k = 5 gated selection is at least as good as mutual information.</summary>
public class BreastCancerSelectionTests(ITestOutputHelper output)
{
    [Fact]
    public void Gated_k5_held_out_auc_is_at_least_mutual_information_k5()
    {
        var ml = new MLContext(seed: 1);
        var (x, y, names) = SelectionData.BreastCancer();
        var split = ml.Data.TrainTestSplit(SelectionData.View(ml, x, y, names), testFraction: 0.2, seed: 1);

        var gated = ml.Relaxation().SelectFeaturesWithGates(new GatedFeatureSelectorOptions { MaximumFeatureCount = 5, Seed = 1 });
        var mutualInformation = ml.Transforms.FeatureSelection.SelectFeaturesBasedOnMutualInformation("Features", slotsInOutput: 5);
        double gatedAuc = HeldOutAuc(ml, gated, split, out var gatedModel);
        double miAuc = HeldOutAuc(ml, mutualInformation, split, out _);

        var selector = ((IEnumerable<ITransformer>)gatedModel).OfType<GatedFeatureSelectorTransformer>().Single();
        output.WriteLine($"gated AUC {gatedAuc:F4} [{string.Join(", ", selector.KeptSlotNames)}]; mutual information AUC {miAuc:F4}");
        Assert.Equal(5, selector.KeptSlotIndices.Count);
        Assert.True(gatedAuc >= miAuc, $"gated AUC {gatedAuc:F4} < mutual information AUC {miAuc:F4}");
    }

    private static double HeldOutAuc(MLContext ml, IEstimator<ITransformer> selector, DataOperationsCatalog.TrainTestData split,
        out ITransformer model)
    {
        var pipeline = selector
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression());
        var fitted = pipeline.Fit(split.TrainSet);
        model = fitted;
        var metrics = ml.BinaryClassification.Evaluate(fitted.Transform(split.TestSet));
        return metrics.AreaUnderRocCurve;
    }
}
