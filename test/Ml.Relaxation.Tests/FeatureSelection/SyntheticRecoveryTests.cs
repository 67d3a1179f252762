using Microsoft.ML;
using Ml.Relaxation.MLNet;
using Xunit.Abstractions;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>
/// The issue's synthetic bar: 5 relevant slots (3 linear, 2 only through an XOR-like interaction) at random positions
/// among 200 N(0, 1) slots; with k = 5 and default settings the selector keeps exactly the relevant ones, for several seeds.
/// </summary>
public class SyntheticRecoveryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Recovers_linear_and_xor_relevant_slots_among_195_noise_slots(int seed)
    {
        var ml = new MLContext(seed);
        var (x, y, relevant) = SelectionData.LinearAndXor(2000, 200, (ulong)seed);
        var selector = ml.Relaxation().SelectFeaturesWithGates(maximumFeatureCount: 5).Fit(SelectionData.View(ml, x, y));
        output.WriteLine($"relevant [{string.Join(",", relevant)}], kept [{string.Join(",", selector.KeptSlotIndices)}], open gates {selector.History[^1].OpenGates}");
        Assert.Equal(relevant, selector.KeptSlotIndices);
    }
}
