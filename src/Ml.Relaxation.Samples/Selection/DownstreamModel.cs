using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.LightGbm;
using Ml.Relaxation.Samples.Datasets;

namespace Ml.Relaxation.Samples.Selection;

/// <summary>
/// The ordinary ML.NET model trained on the selected columns, the same for every selector so that the comparison is
/// about the columns: a logistic regression on standardized features for binary labels, LightGBM (gradient-boosted
/// trees, which need no scaling and fit non-linear effects) for multiclass and regression labels. One thread each,
/// so a seed gives the same model every time.
/// </summary>
internal static class DownstreamModel
{
    public static string Describe(LearningTask task) =>
        task == LearningTask.Binary ? "logistic regression (L-BFGS) on standardized features" : "LightGBM";

    public static IEstimator<ITransformer> Create(MLContext ml, LearningTask task, int seed) => task switch
    {
        LearningTask.Binary => ml.Transforms.NormalizeMeanVariance("Features").Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(
            new LbfgsLogisticRegressionBinaryTrainer.Options { NumberOfThreads = 1 })),
        LearningTask.Multiclass => ml.MulticlassClassification.Trainers.LightGbm(
            new LightGbmMulticlassTrainer.Options { NumberOfThreads = 1, Seed = seed }),
        _ => ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options { NumberOfThreads = 1, Seed = seed }),
    };

    /// <summary>The metric the comparison reports: AUC, macro accuracy or R^2.</summary>
    public static string MetricName(LearningTask task) => task switch
    {
        LearningTask.Binary => "AUC",
        LearningTask.Multiclass => "macro accuracy",
        _ => "R^2",
    };

    /// <summary>The metric on scored held-out rows, or NaN where it is undefined (for example one class only).</summary>
    public static double Score(MLContext ml, LearningTask task, IDataView scored)
    {
        try
        {
            return task switch
            {
                LearningTask.Binary => ml.BinaryClassification.Evaluate(scored).AreaUnderRocCurve,
                LearningTask.Multiclass => ml.MulticlassClassification.Evaluate(scored).MacroAccuracy,
                _ => ml.Regression.Evaluate(scored).RSquared,
            };
        }
        catch (ArgumentOutOfRangeException)
        {
            return double.NaN; // ML.NET throws when the held-out rows make the metric undefined
        }
    }
}
