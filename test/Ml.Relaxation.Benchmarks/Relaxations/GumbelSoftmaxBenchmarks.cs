using BenchmarkDotNet.Attributes;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Benchmarks.Relaxations;

/// <summary>
/// Gumbel-Softmax at the shapes of <c>torch_kernels.py</c>: soft forward, and straight-through forward plus backward
/// (the peer's <c>gumbel_softmax(hard=True).sum().backward()</c>: the gradient of a sum is all ones). tau = 0.5.
/// Divide the mean by <c>N * K</c> for ns per element.
/// </summary>
[MemoryDiagnoser]
public class GumbelSoftmaxBenchmarks
{
    private float[] logits = [], y = [], oneHot = [], dy = [], dLogits = [];
    private int[] indices = [];
    private readonly RandomSource rng = new(1);

    /// <summary>Rows and categories.</summary>
    [ParamsSource(nameof(Shapes))]
    public (int N, int K) Shape { get; set; }

    /// <summary>The peer's shapes.</summary>
    public static IEnumerable<(int, int)> Shapes => [(100, 10), (4096, 10), (65536, 10), (4096, 1000)];

    /// <summary>Allocates the buffers once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int n = Shape.N * Shape.K;
        logits = new float[n]; y = new float[n]; oneHot = new float[n]; dLogits = new float[n];
        dy = Enumerable.Repeat(1f, n).ToArray();
        indices = new int[Shape.N];
        new RandomSource(7).NextUniforms(logits);
        for (int i = 0; i < n; i++) logits[i] = 4 * logits[i] - 2;
    }

    /// <summary>Soft forward.</summary>
    [Benchmark]
    public void SoftForward() => GumbelSoftmax.Sample(rng, logits, Shape.K, 0.5f, y);

    /// <summary>Straight-through forward and the backward of sum(one-hot).</summary>
    [Benchmark]
    public void HardForwardBackward()
    {
        GumbelSoftmax.SampleHard(rng, logits, Shape.K, 0.5f, oneHot, indices, y);
        GumbelSoftmax.Backward(y, dy, Shape.K, 0.5f, dLogits);
    }
}
