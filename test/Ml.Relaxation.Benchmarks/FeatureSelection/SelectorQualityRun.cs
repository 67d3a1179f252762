using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.LightGbm;
using Ml.Relaxation.Benchmarks.DiscreteVae;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.FeatureSelection;

namespace Ml.Relaxation.Benchmarks.FeatureSelection;

/// <summary>
/// The gated selector's quality benchmark (issue 12), side by side in one run with ML.NET's mutual-information selector
/// at the same k and, where <c>/usr/bin/python3</c> has torch, the PyTorch Hard Concrete peer
/// (<c>shared/peers/torch_gates.py</c>):
/// <c>dotnet run -c Release --project test/Ml.Relaxation.Benchmarks -- selector-quality [madelon|tabular|all] [threads] [peer]</c>.
/// </summary>
/// <remarks>
/// MADELON recipe files: the first 75% of rows train; recall of the 20 relevant columns among the k = 20 kept, whether
/// all k = 5 kept are relevant, and how many noise columns the no-knob mode (no k) keeps, each from its own fit with
/// the defaults and seed 1; fit seconds. Breast cancer, wine and diabetes: ten 80/20 splits (seeds 1-10), k = 5, the
/// same downstream models after either selector (the task's linear model, logistic regression, maximum entropy or
/// SDCA regression, on mean-variance normalized kept columns; and LightGBM, as in the samples tool); held-out AUC,
/// macro accuracy or R^2. Mutual information needs a discrete
/// label, so for regression it gets the label binned into 10 equal-count bins (its documentation's advice).
/// </remarks>
public static class SelectorQualityRun
{
    private const int Seeds = 10;

    private static int _selectorSeed = 1;

    /// <summary>
    /// Runs the chosen part at <paramref name="threads"/> threads; <paramref name="peer"/> also runs the PyTorch peer on
    /// MADELON. <paramref name="selectorSeed"/> is our selector's seed on MADELON (the tabular part always uses 1).
    /// </summary>
    public static void Run(string part, int threads, bool peer, int selectorSeed = 1)
    {
        _selectorSeed = selectorSeed;
        Ml.Relaxation.Parallelism.DegreeOfParallelism.Maximum = threads;
        string data = Mnist10k.FindDataDirectory();
        if (part is "madelon" or "all")
            foreach (int file in new[] { 101, 102, 103 }) Madelon(data, file, peer);
        if (part is "tabular" or "all")
        {
            Tabular(Path.Combine(data, "breast_cancer.csv"), "binary");
            Tabular(Path.Combine(data, "wine.csv"), "multiclass");
            Tabular(Path.Combine(data, "diabetes.csv"), "regression");
        }
    }

    private static void Madelon(string dataDirectory, int file, bool peer)
    {
        string name = $"madelon_recipe_{file}.csv.gz";
        var (header, rows) = ReadCsv(new GZipStream(File.OpenRead(Path.Combine(dataDirectory, name)), CompressionMode.Decompress));
        var recipe = JsonDocument.Parse(File.ReadAllText(Path.Combine(dataDirectory, "madelon_recipe.json"))).RootElement.GetProperty(name);
        var relevant = recipe.GetProperty("relevant").EnumerateArray().Select(e => e.GetInt32()).ToHashSet();
        int train = rows.Count * 3 / 4;
        var ml = new MLContext(seed: 1);
        var view = View(ml, rows.Take(train).ToList(), header[..^1], DataKind.Boolean);

        string Measure(int? k)
        {
            var clock = Stopwatch.StartNew();
            var selector = ml.Relaxation().SelectFeaturesWithGates(new GatedFeatureSelectorOptions { MaximumFeatureCount = k, Seed = _selectorSeed }).Fit(view);
            double seconds = clock.Elapsed.TotalSeconds;
            int hits = selector.KeptSlotIndices.Count(relevant.Contains);
            var s = selector.Statistics;
            int worst = selector.FeatureScores.Where(f => relevant.Contains(f.SlotIndex)).Max(f => f.Rank);
            return k is int kk
                ? $"k={kk}: {hits}/{kk} relevant ({seconds:F1} s; worst relevant rank {worst}; kept {(s.RankedBySubsetFrequency ? "the joint subset" : "the best scores")})"
                : $"no k: kept {selector.KeptSlotIndices.Count}, {selector.KeptSlotIndices.Count - hits} noise (threshold {s.SelectionThreshold:F2}, bound {s.FalseSelectionBound:F2}; {seconds:F1} s)";
        }
        Console.WriteLine($"{name} ({train} training rows): gated (seed {_selectorSeed}) {Measure(20)}; {Measure(5)}; {Measure(null)}");

        foreach (int k in new[] { 20, 5 })
        {
            var mi = ml.Transforms.FeatureSelection.SelectFeaturesBasedOnMutualInformation("Features", slotsInOutput: k).Fit(view);
            var kept = KeptNames(mi.Transform(view));
            Console.WriteLine($"  mutual information k={k}: {kept.Count(n => relevant.Contains(int.Parse(n[1..], CultureInfo.InvariantCulture)))}/{k} relevant");
        }
        if (peer) Peer(header, rows.Take(train), relevant, file);
    }

    private static void Peer(string[] header, IEnumerable<float[]> rows, HashSet<int> relevant, int file)
    {
        string csv = Path.Combine(Path.GetTempPath(), $"ml-relaxation-madelon-{file}-{Environment.ProcessId}.csv");
        try
        {
            File.WriteAllLines(csv, [string.Join(',', header), .. rows.Select(r => string.Join(',', r.Select(v => v.ToString("R", CultureInfo.InvariantCulture))))]);
            foreach (int k in new[] { 20, 5 })
            {
                string script = Path.Combine(Path.GetDirectoryName(Mnist10k.FindDataDirectory())!, "peers", "torch_gates.py");
                var start = new ProcessStartInfo("/usr/bin/python3", $"{script} {csv} {k}") { RedirectStandardOutput = true, RedirectStandardError = true };
                using var process = Process.Start(start)!;
                string output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                string? top = output.Split('\n').FirstOrDefault(l => l.StartsWith("top-k", StringComparison.Ordinal));
                string? fit = output.Split('\n').FirstOrDefault(l => l.StartsWith("fit_s", StringComparison.Ordinal));
                int hits = top is null ? -1 : top[(top.IndexOf('[') + 1)..top.IndexOf(']')].Split(',')
                    .Count(n => relevant.Contains(int.Parse(n.Trim().Trim('\'')[1..], CultureInfo.InvariantCulture)));
                Console.WriteLine(top is null ? $"  peer k={k}: did not run ({process.StandardError.ReadToEnd().Trim().Split('\n')[^1]})"
                    : $"  peer k={k}: {hits}/{k} relevant ({fit})");
            }
        }
        finally
        {
            File.Delete(csv);
        }
    }

    /// <summary>
    /// The tabular comparison on any CSV with a header and the label last (binary labels 0/1): used for the generality
    /// check on the data sets that <c>make_generality_sets.py</c> writes.
    /// </summary>
    public static void Csv(string path, string task, int k, int threads)
    {
        Ml.Relaxation.Parallelism.DegreeOfParallelism.Maximum = threads;
        Tabular(path, task, k);
    }

    private static void Tabular(string path, string task, int k = 5)
    {
        var (header, rows) = ReadCsv(File.OpenRead(path));
        var ml = new MLContext(seed: 1);
        var data = View(ml, rows, header[..^1], task == "binary" ? DataKind.Boolean : DataKind.Single);
        if (task == "multiclass") data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        string[] models = ["linear", "LightGBM"];
        var wins = new int[models.Length];
        var lines = models.Select(_ => new List<string>()).ToArray();
        var oursSum = new double[models.Length];
        var miSum = new double[models.Length];
        int subsetKept = 0;
        for (int seed = 1; seed <= Seeds; seed++)
        {
            var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: seed);
            // each selector is fitted once per split and scored with both downstream models
            var ours = ml.Relaxation().SelectFeaturesWithGates(new GatedFeatureSelectorOptions { MaximumFeatureCount = k, Seed = 1 }).Fit(split.TrainSet);
            if (ours.Statistics.RankedBySubsetFrequency) subsetKept++;
            IEstimator<ITransformer> miSelector = task == "regression"
                ? ml.Transforms.NormalizeBinning("BinnedLabel", "Label", maximumBinCount: 10)
                    .Append(ml.Transforms.FeatureSelection.SelectFeaturesBasedOnMutualInformation("Features", labelColumnName: "BinnedLabel", slotsInOutput: k))
                : ml.Transforms.FeatureSelection.SelectFeaturesBasedOnMutualInformation("Features", slotsInOutput: k);
            ITransformer mi = miSelector.Fit(split.TrainSet);
            for (int m = 0; m < models.Length; m++)
            {
                double a = Score(ml, task, m == 1, ours, split), b = Score(ml, task, m == 1, mi, split);
                if (a >= b) wins[m]++;
                oursSum[m] += a;
                miSum[m] += b;
                lines[m].Add($"{a:F4}/{b:F4}");
            }
        }
        string metric = task switch { "binary" => "AUC", "multiclass" => "macro accuracy", _ => "R^2" };
        Console.WriteLine($"{Path.GetFileName(path)} k={k}: the joint subset won the held-out check on {subsetKept} of {Seeds} splits");
        for (int m = 0; m < models.Length; m++)
            Console.WriteLine($"{Path.GetFileName(path)} k={k} {models[m]} held-out {metric} gated/MI per split seed: {string.Join("  ", lines[m])}; gated >= MI on {wins[m]} of {Seeds}; means {oursSum[m] / Seeds:F4} / {miSum[m] / Seeds:F4}");
    }

    /// <summary>
    /// The held-out metric of a downstream model trained on <paramref name="selector"/>'s output: the linear model of
    /// the task on mean-variance normalized columns, or LightGBM (one thread, seed 1) as in the samples tool.
    /// </summary>
    private static double Score(MLContext ml, string task, bool lightGbm, ITransformer selector, DataOperationsCatalog.TrainTestData split)
    {
        IEstimator<ITransformer> trainer = (task, lightGbm) switch
        {
            ("binary", false) => ml.Transforms.NormalizeMeanVariance("Features").Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression()),
            ("multiclass", false) => ml.Transforms.NormalizeMeanVariance("Features").Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy()),
            (_, false) => ml.Transforms.NormalizeMeanVariance("Features").Append(ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options { NumberOfThreads = 1 })), // one thread: SDCA is deterministic only then
            ("binary", true) => ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options { NumberOfThreads = 1, Seed = 1 }),
            ("multiclass", true) => ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options { NumberOfThreads = 1, Seed = 1 }),
            (_, true) => ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options { NumberOfThreads = 1, Seed = 1 }),
        };
        IDataView train = selector.Transform(split.TrainSet);
        var scored = trainer.Fit(train).Transform(selector.Transform(split.TestSet));
        return task switch
        {
            "binary" => ml.BinaryClassification.Evaluate(scored).AreaUnderRocCurve,
            "multiclass" => ml.MulticlassClassification.Evaluate(scored).MacroAccuracy,
            _ => ml.Regression.Evaluate(scored).RSquared,
        };
    }

    private static List<string> KeptNames(IDataView transformed)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        transformed.Schema["Features"].GetSlotNames(ref names);
        return [.. names.DenseValues().Select(n => n.ToString())];
    }

    private static (string[] Header, List<float[]> Rows) ReadCsv(Stream stream)
    {
        using var reader = new StreamReader(stream);
        string[] header = reader.ReadLine()!.Split(',');
        var rows = new List<float[]>();
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
            if (line.Length > 0) rows.Add([.. line.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture))]);
        return (header, rows);
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    private sealed class BinaryRow
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    /// <summary>An in-memory view: Features (with the header's slot names) and Label (Boolean or Single).</summary>
    private static IDataView View(MLContext ml, List<float[]> rows, string[] slotNames, DataKind label)
    {
        var names = new VBuffer<ReadOnlyMemory<char>>(slotNames.Length, [.. slotNames.Select(s => s.AsMemory())]);
        if (label == DataKind.Boolean)
        {
            var definition = SchemaDefinition.Create(typeof(BinaryRow));
            definition["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, slotNames.Length);
            definition["Features"].AddAnnotation("SlotNames", names, new VectorDataViewType(TextDataViewType.Instance, slotNames.Length));
            return ml.Data.LoadFromEnumerable(rows.Select(r => new BinaryRow { Features = r[..^1], Label = r[^1] == 1f }).ToList(), definition);
        }
        var def = SchemaDefinition.Create(typeof(Row));
        def["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, slotNames.Length);
        def["Features"].AddAnnotation("SlotNames", names, new VectorDataViewType(TextDataViewType.Instance, slotNames.Length));
        return ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Features = r[..^1], Label = r[^1] }).ToList(), def);
    }
}
