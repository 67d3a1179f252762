using System.Diagnostics;
using Ml.Relaxation.Engine;
using Ml.Relaxation.Parallelism;

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
        Ml.Relaxation.Parallelism.DegreeOfParallelism.Maximum = threads;
        Console.WriteLine($"threads {threads}, FMA kernel {GemmKernel.UsesFma}");
        foreach (var (name, shape) in MatMulBenchmarks.Shapes)
        {
            var bench = new MatMulBenchmarks { Shape = name, Threads = threads };
            bench.Setup();
            double flops = 2.0 * shape.M * shape.N * shape.K;
            double seconds = Median(bench.Product, flops);
            Console.WriteLine($"{name,-28} {seconds * 1e6,10:F1} us {flops / seconds / 1e9,8:F1} GFLOP/s   (caller CPU {LastCpu * 1e6,10:F1} us, {flops / LastCpu / 1e9,6:F1} GFLOP/CPU-s)");
        }
        var vae = new JangVaeStep();
        double step = Median(() => vae.Step(), 1e9), stepCpu = LastCpu, forward = Median(() => vae.Forward(), 3e8);
        double backward = Median(vae.Backward, 6e8), adam = Median(vae.Optimizer.Step, 1e8);
        Console.WriteLine($"VAE step {step * 1e3:F3} ms (forward {forward * 1e3:F3}, backward {backward * 1e3:F3}, Adam {adam * 1e3:F3}); caller CPU per step {stepCpu * 1e3:F3} ms");
        var z = new Matrix(100, 784);
        var t = new Matrix(100, 784);
        var g = new Matrix(100, 784);
        var logits = new Matrix(100, 200);
        var dl = new Matrix(100, 200);
        var rng = new Randomness.RandomSource(3);
        rng.NextUniforms(z.AsSpan());
        rng.NextUniforms(logits.AsSpan());
        Median(() => Losses.BinaryCrossEntropyWithLogits(z, t, g), 1e6);
        double bce = LastCpu;
        Median(() => Losses.CategoricalKlFromUniform(logits, 20, 10, dl), 1e6);
        double kl = LastCpu;
        Median(() => Ml.Relaxation.Relaxations.GumbelSoftmax.Sample(rng, logits.AsSpan(), 10, 1f, dl.AsSpan()), 1e6);
        double gumbel = LastCpu;
        Median(() => Activations.ReluBackward(z.AsSpan(), t.AsSpan(), g.AsSpan()), 1e6);
        double relu = LastCpu;
        Median(vae.Optimizer.Step, 1e8);
        double adamCpu = LastCpu;
        Console.WriteLine($"caller CPU us: BCE 100x784 {bce * 1e6:F1}, KL 100x200 {kl * 1e6:F1}, GumbelSoftmax 100x200 {gumbel * 1e6:F1}, ReLU backward 100x784 {relu * 1e6:F1}, Adam {adamCpu * 1e6:F1}");
        var handOff = new HandOffBenchmarks();
        handOff.Setup();
        Console.WriteLine($"hand-off: worker pool {Median(handOff.EnginePool, 1e7) * 1e6:F2} us, Parallel.For {Median(handOff.ParallelFor, 1e7) * 1e6:F2} us");
    }

    /// <summary>CPU seconds the calling thread has used (Linux getrusage RUSAGE_THREAD), to see past a busy machine's preemption.</summary>
    private static double ThreadCpuSeconds()
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        Span<long> usage = stackalloc long[18];
        unsafe
        {
            fixed (long* u = usage) if (getrusage(1, u) != 0) return double.NaN;
        }
        return usage[0] + usage[1] * 1e-6 + usage[2] + usage[3] * 1e-6; // user tv_sec, tv_usec, system tv_sec, tv_usec
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern unsafe int getrusage(int who, long* usage);

    /// <summary>Median seconds per call over 9 samples; also records the calling thread's CPU seconds per call in <see cref="LastCpu"/>.</summary>
    private static double LastCpu;

    /// <summary>Alternates the hand-off variants for a few rounds, so they see the same machine load.</summary>
    public static void HandOff(int rounds)
    {
        var handOff = new HandOffBenchmarks();
        handOff.Setup();
        for (int round = 0; round < rounds; round++)
        {
            WorkerPool.SpinMicroseconds = 50;
            double spin50 = Median(handOff.EnginePool, 1e7);
            WorkerPool.SpinMicroseconds = 300;
            double spin300 = Median(handOff.EnginePool, 1e7);
            WorkerPool.SpinMicroseconds = 50;
            double parallelFor = Median(handOff.ParallelFor, 1e7);
            Console.WriteLine($"round {round}: engine pool (workers spin 50 us) {spin50 * 1e6:F1} us, (spin 300 us) {spin300 * 1e6:F1} us, " +
                $"Parallel.For {parallelFor * 1e6:F1} us");
        }
    }

    private static double Median(Action action, double flops)
    {
        int reps = (int)Math.Clamp(2e8 / flops, 3, 20000);
        for (int i = 0; i < Math.Clamp(2 * reps, 40, 100); i++) action(); // past tiered JIT's promotion to optimized code
        var samples = new double[9];
        var cpu = new double[9];
        for (int s = 0; s < samples.Length; s++)
        {
            double cpuStart = ThreadCpuSeconds();
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < reps; i++) action();
            samples[s] = Stopwatch.GetElapsedTime(start).TotalSeconds / reps;
            cpu[s] = (ThreadCpuSeconds() - cpuStart) / reps;
        }
        Array.Sort(samples);
        Array.Sort(cpu);
        LastCpu = cpu[cpu.Length / 2];
        return samples[samples.Length / 2];
    }
}
