using System.Diagnostics;
using Microsoft.ML;
using Ml.Relaxation.MLNet;

namespace Ml.Relaxation.Benchmarks.FeatureSelection;

/// <summary>
/// A Stopwatch read-out of the peer-configured fit (median of several), to run right next to the PyTorch peer:
/// <c>dotnet run -c Release --project test/Ml.Relaxation.Benchmarks -- selector-quick [epochs] [repeats] [threads]</c>.
/// </summary>
public static class SelectorQuickTimer
{
    /// <summary>Prints each fit's seconds and the median.</summary>
    public static void Run(int epochs, int repeats, int threads)
    {
        Ml.Relaxation.Parallelism.DegreeOfParallelism.Maximum = threads;
        var ml = new MLContext(seed: 1);
        var data = BreastCancerData.TrainingRows(ml);
        ml.Relaxation().SelectFeaturesWithGates(GatedSelectorFitBenchmarks.PeerOptions(1)).Fit(data); // JIT warm-up
        var seconds = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            var t = ml.Relaxation().SelectFeaturesWithGates(GatedSelectorFitBenchmarks.PeerOptions(epochs)).Fit(data);
            seconds.Add(clock.Elapsed.TotalSeconds);
            Console.WriteLine($"fit_s {seconds[^1]:F3} epochs {epochs} rows {t.TrainingRows} kept slots [{string.Join(", ", t.KeptSlotIndices)}]");
        }
        seconds.Sort();
        Console.WriteLine($"median fit_s {seconds[seconds.Count / 2]:F3} over {repeats} (threads {threads})");
    }
}
