using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.Engine;
using Ml.Relaxation.MLNet.Data;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Benchmarks.Data;

/// <summary>
/// One epoch of shuffled mini-batches of 100 rows from an in-memory <see cref="IDataView"/> of 10,000 x 784 floats
/// (MNIST 10k's shape): the streaming <see cref="DataViewBatchSource"/> (shuffle pool of 4096 rows, and of 10,000 =
/// a full shuffle), next to a bare ML.NET cursor pass over the same column (the floor any IDataView reader pays) and
/// the engine's <see cref="InMemoryBatchSource"/> over an array. Peer: <c>torch_batches.py</c> (a DataLoader over a
/// TensorDataset).
/// </summary>
[MemoryDiagnoser]
public class BatchSourceBenchmarks
{
    private const int Rows = 10_000, FeatureCount = 784, BatchSize = 100;
    private IDataView data = null!;
    private DataViewBatchSource pooled = null!, full = null!;
    private InMemoryBatchSource inMemory = null!;
    private int epoch;

    private sealed class Row
    {
        [VectorType(FeatureCount)] public float[] Features { get; set; } = [];
    }

    /// <summary>Builds the data once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var x = new float[Rows * FeatureCount];
        new RandomSource(1).NextUniforms(x);
        data = new MLContext(seed: 1).Data.LoadFromEnumerable(
            Enumerable.Range(0, Rows).Select(r => new Row { Features = x.AsSpan(r * FeatureCount, FeatureCount).ToArray() }).ToArray());
        pooled = new DataViewBatchSource(data, new BatchSourceOptions { BatchSize = BatchSize, ShufflePoolRows = 4096, Seed = 1 });
        full = new DataViewBatchSource(data, new BatchSourceOptions { BatchSize = BatchSize, ShufflePoolRows = Rows, Seed = 1 });
        inMemory = new InMemoryBatchSource(new Matrix(x, Rows, FeatureCount), null, BatchSize, seed: 1);
    }

    /// <summary>A bare cursor pass reading every feature vector.</summary>
    [Benchmark(Baseline = true)]
    public float CursorOnly()
    {
        using var cursor = data.GetRowCursor(data.Schema);
        var getter = cursor.GetGetter<VBuffer<float>>(data.Schema["Features"]);
        VBuffer<float> v = default;
        float sum = 0;
        while (cursor.MoveNext())
        {
            getter(ref v);
            sum += v.GetValues()[0];
        }
        return sum;
    }

    /// <summary>The streaming source, pool of 4096 rows.</summary>
    [Benchmark]
    public float StreamingPool4096() => Consume(pooled);

    /// <summary>The streaming source, pool covering the data.</summary>
    [Benchmark]
    public float StreamingFullShuffle() => Consume(full);

    /// <summary>The engine's in-memory source.</summary>
    [Benchmark]
    public float InMemory() => Consume(inMemory);

    private float Consume(IBatchSource source)
    {
        float sum = 0;
        foreach (var batch in source.Batches(epoch++)) sum += batch.Features[0, 0];
        return sum;
    }
}
