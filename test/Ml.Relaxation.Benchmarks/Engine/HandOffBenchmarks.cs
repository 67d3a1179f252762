using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Ml.Relaxation.Engine;
using Ml.Relaxation.Parallelism;

namespace Ml.Relaxation.Benchmarks.Engine;

/// <summary>
/// The fixed cost of handing work to a second thread and getting it back: two parts that each wait (up to 1 ms) until
/// the other has started, so the time is the latency until a second thread joins, through the engine's spinning
/// worker pool and through <see cref="Parallel.For(int, int, Action{int})"/>. This is the overhead a 100-row product
/// pays on every call.
/// </summary>
[MemoryDiagnoser]
public class HandOffBenchmarks
{
    private readonly Rendezvous _work = new();
    private Action<int> _body = null!;

    /// <summary>Starts the pool's threads.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _body = i => _work.RunPart(i, 2);
        _work.Reset();
        WorkerPool.Shared.Run(_work, 2, 2);
    }

    /// <summary>Two rendezvous parts through the engine's pool.</summary>
    [Benchmark(Baseline = true)]
    public void EnginePool()
    {
        _work.Reset();
        WorkerPool.Shared.Run(_work, 2, 2);
    }

    /// <summary>Two rendezvous iterations through Parallel.For.</summary>
    [Benchmark]
    public void ParallelFor()
    {
        _work.Reset();
        Parallel.For(0, 2, _body);
    }

    private sealed class Rendezvous : IPartitionedWork
    {
        private int _arrived;

        public void Reset() => _arrived = 0;

        public void RunPart(int part, int parts)
        {
            Interlocked.Increment(ref _arrived);
            long until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 1000;
            while (Volatile.Read(ref _arrived) < parts && Stopwatch.GetTimestamp() < until) Thread.SpinWait(1);
        }
    }
}
