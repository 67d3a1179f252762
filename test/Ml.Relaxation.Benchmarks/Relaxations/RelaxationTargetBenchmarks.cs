using BenchmarkDotNet.Attributes;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Benchmarks.Relaxations;

/// <summary>
/// Only the two cases with speed targets (issue 2), for quick paired runs next to <c>torch_targets.py</c>:
/// Gumbel-Softmax soft forward at 65536 x 10 (tau 0.5) and Hard Concrete sampling at 4096 x 500.
/// </summary>
[MemoryDiagnoser]
public class RelaxationTargetBenchmarks
{
    private readonly float[] logits = new float[65536 * 10], y = new float[65536 * 10];
    private readonly float[] logAlpha = new float[500], z = new float[4096 * 500];
    private readonly RandomSource rng = new(1);

    /// <summary>Fills the inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        new RandomSource(7).NextUniforms(logits);
        new RandomSource(3).NextUniforms(logAlpha);
    }

    /// <summary>655,360 elements.</summary>
    [Benchmark]
    public void GumbelSoftmaxSoft65536x10() => GumbelSoftmax.Sample(rng, logits, 10, 0.5f, y);

    /// <summary>2,048,000 elements.</summary>
    [Benchmark]
    public void HardConcreteSample4096x500() => HardConcrete.Sample(rng, logAlpha, 4096, z, default);
}
