using BenchmarkDotNet.Attributes;
using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Benchmarks.Engine;

/// <summary>One forward + backward + Adam step of the Jang et al. discrete VAE at batch 100 (see <see cref="JangVaeStep"/>).</summary>
[MemoryDiagnoser]
public class VaeStepBenchmarks
{
    private JangVaeStep _vae = null!;

    /// <summary><see cref="Ml.Relaxation.Parallelism.DegreeOfParallelism.Maximum"/>.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 2;

    /// <summary>Builds the model.</summary>
    [GlobalSetup]
    public void Setup()
    {
        Ml.Relaxation.Parallelism.DegreeOfParallelism.Maximum = Threads;
        _vae = new JangVaeStep();
    }

    /// <summary>One training step.</summary>
    [Benchmark]
    public float Step()
    {
        Ml.Relaxation.Parallelism.DegreeOfParallelism.Maximum = Threads;
        return _vae.Step();
    }
}
