using BenchmarkDotNet.Attributes;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Benchmarks.Relaxations;

/// <summary>
/// Hard Concrete gate sampling at the shapes of <c>torch_kernels.py</c> (uniforms, stretched Binary Concrete, clamp),
/// with and without the derivative with respect to log alpha (the peer computes none). Divide the mean by
/// <c>N * D</c> for ns per element.
/// </summary>
[MemoryDiagnoser]
public class HardConcreteBenchmarks
{
    private float[] logAlpha = [], z = [], grad = [];
    private readonly RandomSource rng = new(1);

    /// <summary>Rows and gates.</summary>
    [ParamsSource(nameof(Shapes))]
    public (int N, int D) Shape { get; set; }

    /// <summary>The peer's shapes.</summary>
    public static IEnumerable<(int, int)> Shapes => [(100, 784), (4096, 500)];

    /// <summary>Allocates the buffers once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        logAlpha = new float[Shape.D];
        new RandomSource(3).NextUniforms(logAlpha);
        for (int i = 0; i < logAlpha.Length; i++) logAlpha[i] = 4 * logAlpha[i] - 2;
        z = new float[Shape.N * Shape.D];
        grad = new float[Shape.N * Shape.D];
    }

    /// <summary>Gates only, like the peer.</summary>
    [Benchmark]
    public void Sample() => HardConcrete.Sample(rng, logAlpha, Shape.N, z, default);

    /// <summary>Gates and their derivatives.</summary>
    [Benchmark]
    public void SampleWithGradient() => HardConcrete.Sample(rng, logAlpha, Shape.N, z, grad);
}
