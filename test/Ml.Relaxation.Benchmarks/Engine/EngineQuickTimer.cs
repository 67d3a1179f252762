using System.Diagnostics;
using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Benchmarks.Engine;

/// <summary>
/// A fast Stopwatch read-out of the engine's products (median of repeated timings), for tuning between BenchmarkDotNet
/// runs: <c>dotnet run -c Release --project test/Ml.Relaxation.Benchmarks -- engine-quick [threads]</c>.
/// </summary>
public static class EngineQuickTimer
{
    /// <summary>Prints GFLOP/s per product shape and the pool's hand-off cost.</summary>
    public static void Run(int threads)
    {
        MatMul.MaxDegreeOfParallelism = threads;
        Console.WriteLine($"threads {threads}, FMA kernel {GemmKernel.UsesFma}");
        foreach (var (name, shape) in MatMulBenchmarks.Shapes)
        {
            var bench = new MatMulBenchmarks { Shape = name, Threads = threads };
            bench.Setup();
            double flops = 2.0 * shape.M * shape.N * shape.K;
            double seconds = Median(bench.Product, flops);
            Console.WriteLine($"{name,-28} {seconds * 1e6,10:F1} us {flops / seconds / 1e9,8:F1} GFLOP/s");
        }
        var handOff = new HandOffBenchmarks();
        handOff.Setup();
        Console.WriteLine($"hand-off: worker pool {Median(handOff.EnginePool, 1e7) * 1e6:F2} us, Parallel.For {Median(handOff.ParallelFor, 1e7) * 1e6:F2} us");
    }

    private static double Median(Action action, double flops)
    {
        int reps = (int)Math.Clamp(2e8 / flops, 3, 20000);
        for (int i = 0; i < Math.Min(reps, 50); i++) action();
        var samples = new double[9];
        for (int s = 0; s < samples.Length; s++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < reps; i++) action();
            samples[s] = Stopwatch.GetElapsedTime(start).TotalSeconds / reps;
        }
        Array.Sort(samples);
        return samples[samples.Length / 2];
    }
}
