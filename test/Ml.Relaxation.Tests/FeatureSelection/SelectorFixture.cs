using Microsoft.ML;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.FeatureSelection;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>A small named synthetic data set and a selector fitted on it once, shared by the pipeline tests.</summary>
public sealed class SelectorFixture
{
    public const int Slots = 24, K = 5;

    public SelectorFixture()
    {
        Context = new MLContext(seed: 3);
        var (x, y, relevant) = SelectionData.LinearAndXor(600, Slots, seed: 3);
        // shift and scale the raw values so "applies gates to the original values" is visible
        foreach (var row in x) for (int j = 0; j < row.Length; j++) row[j] = 10f + (j + 1) * row[j];
        X = x;
        Relevant = relevant;
        SlotNames = [.. Enumerable.Range(0, Slots).Select(j => $"f{j}")];
        Data = SelectionData.View(Context, x, y, SlotNames);
        Options = new GatedFeatureSelectorOptions { MaximumFeatureCount = K, Seed = 3, Epochs = 30 };
        Selector = Context.Relaxation().SelectFeaturesWithGates(Options).Fit(Data);
    }

    public MLContext Context { get; }
    public float[][] X { get; }
    public int[] Relevant { get; }
    public string[] SlotNames { get; }
    public IDataView Data { get; }
    public GatedFeatureSelectorOptions Options { get; }
    public GatedFeatureSelectorTransformer Selector { get; }
}
