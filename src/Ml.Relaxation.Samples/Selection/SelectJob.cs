using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.Data;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.FeatureSelection;
using Ml.Relaxation.Models.GatedSelection;
using Ml.Relaxation.Samples.Datasets;
using Ml.Relaxation.Samples.Output;

namespace Ml.Relaxation.Samples.Selection;

/// <summary>What <c>select</c> runs on and with.</summary>
/// <param name="Table">The rows, with their label.</param>
/// <param name="K">Features to keep; null for min(5, feature count).</param>
/// <param name="Lambda">The selector's L0 strength, or null for its automatic one.</param>
/// <param name="Epochs">The selector's training epochs.</param>
/// <param name="Seed">Seed of the split, the selector and the downstream models.</param>
/// <param name="SkipMissing">Whether rows with missing values are skipped (the reader did; the selector is told too).</param>
internal sealed record SelectRequest(FeatureTable Table, int? K, float? Lambda, int Epochs, int Seed, bool SkipMissing);

/// <summary>
/// The <c>select</c> job: learns Hard Concrete (L0) gates jointly with a small predictor and keeps k features; trains
/// the same downstream model on those, on mutual information's k features and on all features, and measures each on
/// held-out rows; saves the pipeline, reloads it, exports it to ONNX and draws the plots.
/// </summary>
internal static class SelectJob
{
    public const int DefaultEpochs = 50;

    /// <summary>Share of the rows held out to measure the downstream models.</summary>
    public const double TestFraction = 0.2;

    /// <summary>Quantile bins of a regression label for mutual information, which needs a discrete label.</summary>
    public const int LabelBins = 10;

    public static SelectSummary Run(SelectRequest request, RunFolder folder, RunConsole console, int threads, CancellationToken cancel)
    {
        var total = Stopwatch.StartNew();
        var seconds = new Dictionary<string, double>();
        var warnings = new List<string>();
        FeatureTable table = request.Table;
        LabelColumn label = table.Label ?? throw new InvalidOperationException("select needs a label.");
        LearningTask task = label.Task;
        int d = table.FeatureNames.Length;
        int k = KeptCount(request);

        var ml = new MLContext(seed: request.Seed);
        var (trainRows, testRows) = HoldOut.Split(table, TestFraction, request.Seed);
        IDataView train = TableDataView.Create(ml, table, trainRows), test = TableDataView.Create(ml, table, testRows);
        console.Line($"select: {table.Source}, label '{label.Name}': {task.Name()}{(label.Note is { } note ? $" ({note})" : "")}");
        console.Line($"select: {trainRows.Length} training rows, {testRows.Length} held-out rows, {d} features; keeping k = {k}");

        // The gated selector, then the downstream model on its kept columns.
        var history = new List<GatedSelectionEpoch>();
        var clock = Stopwatch.StartNew();
        // progress steps: every stability fit, every joint subset fit (with k below the feature count), then every
        // epoch of the final fit
        var defaults = new GatedFeatureSelectorOptions();
        int fits = defaults.StabilityRounds * Math.Min(defaults.SlotGroups, d) * 2;
        int subsetFits = k < d ? 6 * defaults.StabilityRounds : 0;
        TransformerChain<ITransformer> gated = console.Train("gated selector", fits + subsetFits + request.Epochs, progress =>
        {
            var options = new GatedFeatureSelectorOptions
            {
                MaximumFeatureCount = k,
                L0Strength = request.Lambda,
                Task = SelectionTask(task),
                Epochs = request.Epochs,
                Seed = request.Seed,
                SkipRowsWithMissingValues = request.SkipMissing,
                CancellationToken = cancel,
                Progress = new Reporter<GatedSelectionProgress>(p =>
                {
                    if (p.Stage == GatedSelectionStage.StabilityFits)
                    {
                        progress.Report(p.Completed, string.Create(CultureInfo.InvariantCulture, $"stability fit {p.Completed}/{p.Total}"));
                        return;
                    }
                    if (p.Stage == GatedSelectionStage.JointSubsetFits || p.Epoch is not GatedSelectionEpoch e)
                    {
                        progress.Report(fits + p.Completed, string.Create(CultureInfo.InvariantCulture, $"joint subset fit {p.Completed}/{p.Total}"));
                        return;
                    }
                    history.Add(e);
                    progress.Report(fits + subsetFits + p.Completed, string.Create(CultureInfo.InvariantCulture,
                        $"final fit: loss {e.TrainingLoss:F4}  validation {e.ValidationLoss:F4}  gates open {e.OpenGates}"));
                }),
            };
            var pipeline = ml.Relaxation().SelectFeaturesWithGates(options).Append(DownstreamModel.Create(ml, task, request.Seed));
            return new TransformerChain<ITransformer>([.. pipeline.Fit(train)]);
        }, unit: "step");
        seconds["selector"] = clock.Elapsed.TotalSeconds;
        var selector = gated.OfType<GatedFeatureSelectorTransformer>().Single();
        var scores = SelectorReadout.Scores(selector, table.FeatureNames);
        var kept = scores.Where(s => s.Kept).ToList();
        console.Line($"select: kept {string.Join(", ", kept.Select(s => FormattableString.Invariant($"{s.Name} ({s.Score:F2})")))}; {SelectorReadout.ScoreName(selector)} in brackets");

        // The held-out metric of the same downstream model on the gated selector's k columns, on mutual information's k
        // columns, and on all columns.
        clock.Restart();
        string metric = DownstreamModel.MetricName(task);
        double gatedScore = DownstreamModel.Score(ml, task, gated.Transform(test));
        seconds["evaluation"] = clock.Elapsed.TotalSeconds;
        clock.Restart();
        IDataView miTrain = task == LearningTask.Regression
            ? TableDataView.CreateWithBinnedLabel(ml, table, trainRows, TableDataView.QuantileEdges(trainRows.Select(r => label.Values[r]), LabelBins))
            : train;
        ITransformer mi = ml.Transforms.FeatureSelection.SelectFeaturesBasedOnMutualInformation("Features", slotsInOutput: k).Fit(miTrain);
        var miModel = new TransformerChain<ITransformer>(mi, DownstreamModel.Create(ml, task, request.Seed).Fit(mi.Transform(train)));
        double miScore = DownstreamModel.Score(ml, task, miModel.Transform(test));
        string[] miKept = SlotNames(mi.Transform(test).Schema["Features"]);
        seconds["mutualInformation"] = clock.Elapsed.TotalSeconds;
        clock.Restart();
        double allScore = DownstreamModel.Score(ml, task, DownstreamModel.Create(ml, task, request.Seed).Fit(train).Transform(test));
        seconds["allFeatures"] = clock.Elapsed.TotalSeconds;
        console.Line(string.Create(CultureInfo.InvariantCulture,
            $"select: held-out {metric} with {DownstreamModel.Describe(task)}: gated selector {gatedScore:F4}, mutual information {miScore:F4} (k = {k} each), all {d} features {allScore:F4}"));
        if (task == LearningTask.Regression && !(allScore > 0))
            warnings.Add(FormattableString.Invariant($"R^2 on the held-out rows is {allScore:F3} with all features: the downstream model does no better than predicting the mean, so the comparison says little."));

        // Save, reload in a fresh context, export to ONNX.
        clock.Restart();
        string zip = folder.File("gated-selector.zip"), onnx = folder.File("gated-selector.onnx");
        ml.Model.Save(gated, train.Schema, zip);
        double reloaded = DownstreamModel.Score(ml, task, new MLContext(seed: request.Seed).Model.Load(zip, out _).Transform(test));
        if (!reloaded.Equals(gatedScore)) warnings.Add(FormattableString.Invariant($"The reloaded model scored {reloaded} where the trained one scored {gatedScore}."));
        string? onnxPath = onnx;
        try
        {
            using var file = File.Create(onnx);
            SelectorReadout.ExportOnnx(ml, gated, train, file);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            File.Delete(onnx);
            onnxPath = null;
            warnings.Add($"The ONNX export failed: {e.Message}");
        }
        seconds["saveAndExport"] = clock.Elapsed.TotalSeconds;

        clock.Restart();
        string[] plots =
        [
            SelectPlots.FeatureScores(scores, k, SelectorReadout.ScoreName(selector), table.Source, folder.File("feature-scores.png")),
            SelectPlots.Training(history, folder.File("training.png")),
        ];
        seconds["plots"] = clock.Elapsed.TotalSeconds;
        seconds["total"] = total.Elapsed.TotalSeconds;
        foreach (string w in warnings) console.Warning(w);
        console.Line($"select: wrote {folder.Path}");

        return new SelectSummary("select",
            new DataSummary(table.Source, table.Rows.Length, table.RowsSkipped, trainRows.Length, testRows.Length, d, label.Name, task.Name(), label.Classes, label.Note),
            new SelectSettings(k, request.Lambda, request.Epochs, request.Seed, threads, request.SkipMissing),
            kept, SelectorReadout.ScoreName(selector), scores,
            new SelectMetrics(metric, DownstreamModel.Describe(task), SummaryJson.Finite(gatedScore), SummaryJson.Finite(miScore), SummaryJson.Finite(allScore),
                SummaryJson.Finite(reloaded), miKept),
            history.Select(e => new SelectEpoch(e.Epoch + 1, e.TrainingLoss, SummaryJson.Finite(e.ValidationLoss), e.ExpectedL0, e.OpenGates)).ToList(),
            seconds,
            new SelectFiles(folder.Path, zip, onnxPath, plots, folder.File("summary.json"), folder.LogPath),
            warnings);
    }

    /// <summary>The k of a request (an <see cref="InputError"/> when the data has fewer features), checked before a run folder is made.</summary>
    public static int KeptCount(SelectRequest request)
    {
        int d = request.Table.FeatureNames.Length, k = request.K ?? Math.Min(5, d);
        if (k > d) throw new InputError($"--k {k} is more than the {d} features of {request.Table.Source}; choose --k from 1 to {d}.");
        return k;
    }

    private static LabelTask SelectionTask(LearningTask task) => task switch
    {
        LearningTask.Binary => LabelTask.BinaryClassification,
        LearningTask.Multiclass => LabelTask.MulticlassClassification,
        _ => LabelTask.Regression,
    };

    private static string[] SlotNames(DataViewSchema.Column column)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }
}

/// <summary>An <see cref="IProgress{T}"/> that handles each report at once on the reporting thread (the BCL's
/// <see cref="Progress{T}"/> posts to the thread pool, so reports could arrive late or out of order).</summary>
internal sealed class Reporter<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
