using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.FeatureSelection;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Benchmarks.FeatureSelection;

/// <summary>
/// The scale run: writes <c>rows x features</c> synthetic rows (10 relevant slots, the rest noise) to an ML.NET binary
/// file under /tmp, streaming (never the whole data in memory), then fits the selector from that file and reports the
/// time and the process's peak resident memory (VmHWM):
/// <c>dotnet run -c Release --project test/Ml.Relaxation.Benchmarks -- selector-scale [rows] [features] [epochs]</c>.
/// </summary>
public static class SelectorScaleRun
{
    private const int Relevant = 10;

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    /// <summary>Runs the scale fit and prints the numbers.</summary>
    public static void Run(int rows, int features, int epochs)
    {
        var ml = new MLContext(seed: 1);
        string path = Path.Combine(Path.GetTempPath(), $"gated-scale-{rows}x{features}.idv");
        var clock = Stopwatch.StartNew();
        if (!File.Exists(path))
        {
            var definition = SchemaDefinition.Create(typeof(Row));
            definition["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features);
            var generated = ml.Data.LoadFromEnumerable(Generate(rows, features), definition);
            using var file = File.Create(path + ".partial");
            ml.Data.SaveAsBinary(generated, file);
            file.Close();
            File.Move(path + ".partial", path);
            Console.WriteLine($"wrote {path} ({new FileInfo(path).Length / 1e6:F0} MB) in {clock.Elapsed.TotalSeconds:F1} s; peak RSS so far {PeakRssMb():F0} MB");
        }
        var data = ml.Data.LoadFromBinary(path);
        var options = new GatedFeatureSelectorOptions { MaximumFeatureCount = Relevant, Epochs = epochs, Seed = 1, Progress = new Printer() };
        clock.Restart();
        var t = ml.Relaxation().SelectFeaturesWithGates(options).Fit(data);
        double fit = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"fit_s {fit:F1} rows {rows} features {features} epochs {epochs} training rows {t.TrainingRows}");
        Console.WriteLine($"kept [{string.Join(",", t.KeptSlotIndices)}] (relevant slots are 0..{Relevant - 1})");
        Console.WriteLine($"peak RSS {PeakRssMb():F0} MB (VmHWM of the whole process, including generation)");
    }

    /// <summary>Slots 0..9 relevant (logit = sum of +-x_j), the rest N(0, 1) noise; one row at a time.</summary>
    private static IEnumerable<Row> Generate(int rows, int features)
    {
        var rng = new RandomSource(7);
        var values = new float[features];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < features; j++) values[j] = (float)(Math.Sqrt(-2 * Math.Log(rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
            float logit = 0;
            for (int j = 0; j < Relevant; j++) logit += (j % 2 == 0 ? 1f : -1f) * values[j];
            yield return new Row { Features = (float[])values.Clone(), Label = rng.NextUniform() < 1 / (1 + MathF.Exp(-logit)) };
        }
    }

    private static double PeakRssMb()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
        return double.NaN;
    }

    private sealed class Printer : IProgress<GatedSelectionProgress>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public void Report(GatedSelectionProgress value) =>
            Console.WriteLine($"  {_clock.Elapsed.TotalSeconds,7:F1} s  {value.Stage} {value.Completed}/{value.Total} {value.Epoch}  peak RSS {PeakRssMb():F0} MB");
    }
}
