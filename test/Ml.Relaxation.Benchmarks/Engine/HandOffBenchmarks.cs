using BenchmarkDotNet.Attributes;
using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Benchmarks.Engine;

/// <summary>
/// The fixed cost of handing two empty parts to two threads: the engine's spinning worker pool against
/// <see cref="Parallel.For(int, int, Action{int})"/>. This is the overhead a 100-row product pays per call.
/// </summary>
[MemoryDiagnoser]
public class HandOffBenchmarks
{
    private readonly EmptyWork _work = new();
    private readonly Action<int> _body = _ => { };

    /// <summary>Starts the pool's threads.</summary>
    [GlobalSetup]
    public void Setup() => Ml.Relaxation.Engine.WorkerPool.Shared.Run(_work, 2);

    /// <summary>Two empty parts through the engine's pool.</summary>
    [Benchmark(Baseline = true)]
    public void EnginePool() => Ml.Relaxation.Engine.WorkerPool.Shared.Run(_work, 2);

    /// <summary>Two empty iterations through Parallel.For.</summary>
    [Benchmark]
    public void ParallelFor() => Parallel.For(0, 2, _body);

    private sealed class EmptyWork : IPartitionedWork
    {
        public void RunPart(int part, int parts) { }
    }
}
