using System.Diagnostics;
using System.Globalization;

namespace Ml.Relaxation.Benchmarks.Engine;

/// <summary>
/// Our side of <c>matmul_interleaved.py</c>: reads a shape name per line from standard input, times that product for a
/// short window and answers the median seconds per call. The driver alternates us with the PyTorch peer window by
/// window, so both sides are timed under the same machine load (this 2-core VM drifts by up to 30% within minutes).
/// Run as <c>Ml.Relaxation.Benchmarks matmul-pingpong [threads]</c>.
/// </summary>
public static class MatMulPingPong
{
    /// <summary>Serves timing requests until standard input closes.</summary>
    public static void Run(int threads)
    {
        var benches = new Dictionary<string, MatMulBenchmarks>();
        Console.WriteLine("ready");
        while (Console.ReadLine() is string name)
        {
            if (!benches.TryGetValue(name, out var bench))
            {
                bench = new MatMulBenchmarks { Shape = name, Threads = threads };
                bench.Setup();
                for (int i = 0; i < 50; i++) bench.Product(); // past tiered JIT's promotion to optimized code
                benches[name] = bench;
            }
            Console.WriteLine(WindowMedian(bench.Product).ToString("R", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Median seconds per call of samples of about 2 ms each, over a window of about 150 ms.</summary>
    private static double WindowMedian(Action product)
    {
        long start = Stopwatch.GetTimestamp();
        product();
        double once = Stopwatch.GetElapsedTime(start).TotalSeconds;
        int reps = (int)Math.Clamp(2e-3 / once, 1, 1000);
        var samples = new List<double>();
        var window = Stopwatch.StartNew();
        while (window.Elapsed.TotalMilliseconds < 150 || samples.Count < 5)
        {
            long t = Stopwatch.GetTimestamp();
            for (int i = 0; i < reps; i++) product();
            samples.Add(Stopwatch.GetElapsedTime(t).TotalSeconds / reps);
        }
        samples.Sort();
        return samples[samples.Count / 2];
    }
}
