using BenchmarkDotNet.Attributes;
using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Benchmarks.Engine;

/// <summary>
/// The engine's matrix products at the discrete VAE's shapes (batch 100) and at 1024^3. Shape names read
/// op x MxKxN; GFLOP/s = 2 M K N / time.
/// </summary>
[MemoryDiagnoser]
public class MatMulBenchmarks
{
    /// <summary>The benchmarked products: (transposed A, transposed B, M, K, N).</summary>
    public static readonly IReadOnlyDictionary<string, (bool TransA, bool TransB, int M, int K, int N)> Shapes =
        new Dictionary<string, (bool, bool, int, int, int)>
        {
            ["A*B 100x784x512"] = (false, false, 100, 784, 512),
            ["A*B 100x512x256"] = (false, false, 100, 512, 256),
            ["A*B 100x256x200"] = (false, false, 100, 256, 200),
            ["A^T*B 784x100x512"] = (true, false, 784, 100, 512),
            ["A*B^T 100x512x784"] = (false, true, 100, 512, 784),
            ["A*B 1024x1024x1024"] = (false, false, 1024, 1024, 1024),
        };

    private Matrix _a = null!, _b = null!, _c = null!;
    private (bool TransA, bool TransB, int M, int K, int N) _shape;

    /// <summary>Which product.</summary>
    [ParamsSource(nameof(ShapeNames))]
    public string Shape { get; set; } = "A*B 100x784x512";

    /// <summary>The shape names, for BenchmarkDotNet.</summary>
    public static IEnumerable<string> ShapeNames => Shapes.Keys;

    /// <summary><see cref="Ml.Relaxation.Parallelism.DegreeOfParallelism.Maximum"/>.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 2;

    /// <summary>Allocates and fills the operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _shape = Shapes[Shape];
        var (ta, tb, m, k, n) = _shape;
        _a = ta ? Filled(k, m, 1) : Filled(m, k, 1);
        _b = tb ? Filled(n, k, 2) : Filled(k, n, 2);
        _c = new Matrix(m, n);
        Ml.Relaxation.Parallelism.DegreeOfParallelism.Maximum = Threads;
    }

    /// <summary>One product.</summary>
    [Benchmark]
    public void Product()
    {
        Ml.Relaxation.Parallelism.DegreeOfParallelism.Maximum = Threads;
        if (_shape.TransA) MatMul.MultiplyTransposeA(_a, _b, _c);
        else if (_shape.TransB) MatMul.MultiplyTransposeB(_a, _b, _c);
        else MatMul.Multiply(_a, _b, _c);
    }

    private static Matrix Filled(int rows, int cols, ulong seed)
    {
        var m = new Matrix(rows, cols);
        new Randomness.RandomSource(seed).NextUniforms(m.AsSpan());
        return m;
    }
}
