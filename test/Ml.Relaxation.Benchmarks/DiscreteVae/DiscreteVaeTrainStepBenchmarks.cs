using BenchmarkDotNet.Attributes;
using Ml.Relaxation.Engine;
using Ml.Relaxation.Models.DiscreteVae;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Benchmarks.DiscreteVae;

/// <summary>
/// One training step (forward, backward, Adam) of <see cref="DiscreteVaeModel"/> in the architecture of Jang et al.
/// (784-512-256-(20 x 10), mirrored decoder) on a batch of 100 binary rows: 90 such steps make one MNIST 10k epoch.
/// <c>dotnet run -c Release --project test/Ml.Relaxation.Benchmarks -- --filter '*DiscreteVaeTrainStep*'</c>.
/// Runs in process with a short job: building a separate benchmark executable can exceed BenchmarkDotNet's build
/// timeout on a busy 2-core machine.
/// </summary>
[InProcess]
[WarmupCount(3)]
[IterationCount(5)]
[MemoryDiagnoser]
public class DiscreteVaeTrainStepBenchmarks
{
    private DiscreteVaeModel _model = null!;
    private Adam _adam = null!;
    private Batch _batch = null!;

    /// <summary>Soft or straight-through relaxation.</summary>
    [Params(RelaxationMode.Soft, RelaxationMode.StraightThrough)]
    public RelaxationMode Relaxation { get; set; }

    /// <summary>Matrix-product threads.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Builds the model and a batch of pseudo-images about as sparse as binarized MNIST.</summary>
    [GlobalSetup]
    public void Setup()
    {
        Ml.Relaxation.Parallelism.DegreeOfParallelism.Maximum = Threads;
        _model = new DiscreteVaeModel(new DiscreteVaeArchitecture { FeatureCount = 784, Relaxation = Relaxation }, seed: 1);
        _adam = new Adam(_model.Parameters, 1e-3f);
        _batch = new Batch(100, 784, 0);
        Span<float> x = _batch.Features.AsSpan();
        new RandomSource(2).NextUniforms(x);
        for (int i = 0; i < x.Length; i++) x[i] = x[i] < 0.2f ? 1f : 0f;
    }

    /// <summary>Forward, backward and one Adam update.</summary>
    [Benchmark]
    public float TrainStep()
    {
        _adam.ZeroGradients();
        float loss = _model.TrainStep(_batch, default);
        _adam.Step();
        return loss;
    }
}
