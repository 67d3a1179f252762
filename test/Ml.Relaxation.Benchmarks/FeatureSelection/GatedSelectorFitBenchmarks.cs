using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.FeatureSelection;

namespace Ml.Relaxation.Benchmarks.FeatureSelection;

/// <summary>
/// Fit time of the gated selector with the PyTorch peer's configuration (<c>torch_gates.py</c>: breast cancer, 455
/// training rows, MLP head 64-64, batch 100, Adam 1e-3, 100 epochs, no validation), for the side-by-side comparison in
/// docs/benchmarks.md: <c>dotnet run -c Release --project test/Ml.Relaxation.Benchmarks -- --filter '*GatedSelectorFit*'</c>.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class GatedSelectorFitBenchmarks
{
    private MLContext _ml = null!;
    private IDataView _data = null!;

    /// <summary>Epochs, as the peer's third argument.</summary>
    [Params(100)]
    public int Epochs { get; set; }

    /// <summary>Loads the data once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _ml = new MLContext(seed: 1);
        _data = BreastCancerData.TrainingRows(_ml);
    }

    /// <summary>The peer's settings as selector options.</summary>
    public static GatedFeatureSelectorOptions PeerOptions(int epochs) => new()
    {
        MaximumFeatureCount = 5, HiddenSizes = [64, 64], BatchSize = 100, Epochs = epochs, LearningRate = 1e-3f,
        GateLearningRate = 1e-3f, ValidationFraction = 0, InitialKeepProbability = 0.880797f, // log_alpha = 2, as the peer
        GateWarmupFraction = 0, Seed = 1,
    };

    /// <summary>The whole ML.NET <c>Fit</c>: statistics pass, caching, training, building the built-in transformers.</summary>
    [Benchmark]
    public GatedFeatureSelectorTransformer Fit() => _ml.Relaxation().SelectFeaturesWithGates(PeerOptions(Epochs)).Fit(_data);
}
