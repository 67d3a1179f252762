using System.Diagnostics;
using System.Globalization;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Benchmarks.Relaxations;

/// <summary>
/// Wall and process CPU time per element of the two target kernels, the same way <c>torch_targets.py</c> reports
/// them. On a shared machine CPU time moves far less with the load than wall time does, so comparing CPU time at
/// one thread on both sides is the load-robust reading. Run: <c>dotnet run -c Release --project
/// test/Ml.Relaxation.Benchmarks -- relax-cpu [threads] [all]</c> (<c>all</c> adds every other
/// sampler path).
/// </summary>
public static class RelaxationCpuTimer
{
    /// <summary>Times each kernel (best of 5 repetitions of a loop of about 3e7 elements, after 3 warm-up calls).</summary>
    public static void Run(int threads, bool all = false)
    {
        Ml.Relaxation.Parallelism.DegreeOfParallelism.Maximum = threads;
        var rng = new RandomSource(1);
        var logits = new float[65536 * 10];
        var y = new float[logits.Length];
        new RandomSource(7).NextUniforms(logits);
        var logAlpha = new float[500];
        new RandomSource(3).NextUniforms(logAlpha);
        var z = new float[4096 * 500];
        Report($"gumbel_softmax n=65536 k=10 soft fwd, {threads} thread(s)", logits.Length, () => GumbelSoftmax.Sample(rng, logits, 10, 0.5f, y));
        Report($"hard_concrete sample n=4096 d=500, {threads} thread(s)", z.Length, () => HardConcrete.Sample(rng, logAlpha, 4096, z, default));
        if (!all) return;
        // The other paths: short rows, long rows, Gumbel-Max, the hard sample, Binary Concrete, the backward.
        var idx = new int[logits.Length];
        var hot = new float[logits.Length];
        var dy = new float[logits.Length];
        new RandomSource(8).NextUniforms(dy);
        Report($"gumbel_softmax n=327680 k=2 soft fwd, {threads} thread(s)", logits.Length, () => GumbelSoftmax.Sample(rng, logits, 2, 0.5f, y));
        Report($"gumbel_softmax n=6553 k=100 soft fwd, {threads} thread(s)", 655_300, () => GumbelSoftmax.Sample(rng, logits.AsSpan(0, 655_300), 100, 0.5f, y.AsSpan(0, 655_300)));
        Report($"gumbel_softmax n=65536 k=10 hard fwd, {threads} thread(s)", logits.Length, () => GumbelSoftmax.SampleHard(rng, logits, 10, 0.5f, hot, idx.AsSpan(0, 65536), y));
        Report($"gumbel_max n=65536 k=10, {threads} thread(s)", logits.Length, () => GumbelMax.Sample(rng, logits, 10, idx.AsSpan(0, 65536)));
        Report($"gumbel_max n=160 k=4096, {threads} thread(s)", logits.Length, () => GumbelMax.Sample(rng, logits, 4096, idx.AsSpan(0, 160)));
        Report($"binary_concrete n=655360, {threads} thread(s)", logits.Length, () => BinaryConcrete.Sample(rng, logits, 0.5f, y));
        Report($"gumbel_softmax backward n=6553 k=100, {threads} thread(s)", 655_300, () => GumbelSoftmax.Backward(y.AsSpan(0, 655_300), dy.AsSpan(0, 655_300), 100, 0.5f, hot.AsSpan(0, 655_300)));
    }

    private static void Report(string name, int elements, Action kernel)
    {
        for (int i = 0; i < 3; i++) kernel();
        int reps = Math.Max(5, (int)(3e7 / elements));
        double wall = double.MaxValue, cpu = double.MaxValue;
        using var process = Process.GetCurrentProcess();
        for (int round = 0; round < 5; round++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++) kernel();
            wall = Math.Min(wall, sw.Elapsed.TotalNanoseconds / reps / elements);
            process.Refresh();
            cpu = Math.Min(cpu, (process.TotalProcessorTime - cpu0).TotalNanoseconds / reps / elements);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: wall {wall:F2} ns/elem, cpu {cpu:F2} ns/elem"));
    }
}
