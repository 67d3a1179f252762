using CsCheck;
using Ml.Relaxation.Models.GatedSelection;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>The final deterministic choice of kept slots.</summary>
public class GateSelectionTests
{
    [Fact]
    public void Top_k_keeps_at_most_k_distinct_slots_of_highest_log_alpha_and_zeroes_the_rest()
    {
        Gen.Int[1, 40].SelectMany(d => Gen.Float[-8f, 8f].Array[d].Select(Gen.Int[1, d], (a, k) => (a, k))).Sample(t =>
        {
            var (logAlpha, k) = t;
            float[] zHat = [.. logAlpha.Select(a => Math.Clamp(1.2f / (1 + MathF.Exp(-a)) - 0.1f, 0f, 1f))];
            foreach (var mode in new[] { KeptGateValue.One, KeptGateValue.TestTimeGate })
            {
                var (kept, gates) = GateSelection.Select(logAlpha, zHat, k, mode);
                Assert.True(kept.Length <= k && kept.Length >= 1);
                Assert.Equal(kept.Distinct().Count(), kept.Length);
                Assert.Equal(kept.Order(), kept);
                for (int j = 0; j < logAlpha.Length; j++)
                {
                    if (!kept.Contains(j)) Assert.Equal(0f, gates[j]);
                    else if (mode == KeptGateValue.One) Assert.Equal(1f, gates[j]);
                }
                // no dropped slot ranks above a kept one (ties broken towards the lower index)
                foreach (int j in kept)
                    for (int i = 0; i < logAlpha.Length; i++)
                        if (!kept.Contains(i) && mode == KeptGateValue.One)
                            Assert.True(logAlpha[i] < logAlpha[j] || (logAlpha[i] == logAlpha[j] && i > j));
            }
        });
    }

    [Fact]
    public void Ties_go_to_the_lower_index()
    {
        var (kept, _) = GateSelection.Select([1f, 2f, 2f, 2f], [1f, 1f, 1f, 1f], 2, KeptGateValue.One);
        Assert.Equal([1, 2], kept);
    }

    [Fact]
    public void Without_k_keeps_open_gates_and_never_returns_nothing()
    {
        var (kept, gates) = GateSelection.Select([-5f, 3f, 0.5f], [0f, 1f, 0.66f], null, KeptGateValue.TestTimeGate);
        Assert.Equal([1, 2], kept);
        Assert.Equal([0f, 1f, 0.66f], gates);
        (kept, gates) = GateSelection.Select([-5f, -4f, -6f], [0f, 0f, 0f], null, KeptGateValue.One);
        Assert.Equal([1], kept);
        Assert.Equal([0f, 1f, 0f], gates);
    }

    [Fact]
    public void Bad_arguments_name_the_parameter()
    {
        Assert.Equal("maximumCount", Assert.Throws<ArgumentOutOfRangeException>(() => GateSelection.Select([1f, 2f], [1f, 1f], 3, KeptGateValue.One)).ParamName);
        Assert.Equal("testTimeGates", Assert.Throws<ArgumentException>(() => GateSelection.Select([1f, 2f], [1f], 1, KeptGateValue.One)).ParamName);
    }
}
