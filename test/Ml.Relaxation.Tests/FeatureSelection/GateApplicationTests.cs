using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.MLNet.FeatureSelection;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>
/// The selector relies on an undocumented detail of ML.NET's min-max normalizer. <c>GateApplication</c> stores each
/// slot's gate g as the scale of <c>NormalizeMinMax(fixZero: true)</c> fitted on the two rows 0 and m (m chosen so that
/// 1f / m == g where such a float exists), and reads the gates back (for ONNX export and its metadata, also after
/// <c>Model.Load</c>) from <c>NormalizingTransformer.AffineNormalizerModelParameters&lt;ImmutableArray&lt;float&gt;&gt;.Scale</c>.
/// That needs the scale to be exactly 1f / max, stored and saved as that parameter type, and applied as x * scale with no
/// offset. These tests fail if ML.NET changes any of that; the gates then need another holder.
/// </summary>
public class GateApplicationTests
{
    /// <summary>
    /// Gates as the selector makes them: 0 (dropped), 1 (kept) and test-time gates in (0, 1), each one with a float m
    /// such that 1f / m == g (checked below), so the normalizer can hold it exactly.
    /// </summary>
    private static readonly float[] Gates = [0f, 1f, 0.5f, 0.3f, 1f / 3f, 0.7071068f, 1e-6f, 0.9f, 0f, 0.0625f, 0.25f, 0.8f];

    /// <summary>Rows with awkward values: a row of ones (whose output is the gates themselves), large, small, negative.</summary>
    private static readonly float[][] Rows =
    [
        [.. Enumerable.Repeat(1f, Gates.Length)],
        [.. Enumerable.Range(0, Gates.Length).Select(j => (j - 5) * 1234.567f)],
        [.. Enumerable.Range(0, Gates.Length).Select(j => MathF.Pow(10f, j - 6) * (j % 2 == 0 ? 1 : -1))],
    ];

    [Fact]
    public void MLNet_min_max_normalizer_stores_the_gates_as_its_scale_exactly()
    {
        Assert.All(Gates, g => Assert.True(g == 0f || HasExactReciprocal(g), $"test gate {g:R} has no float m with 1f / m == g"));
        var ml = new MLContext(seed: 1);
        var chain = GateApplication.Fit(ml, "Features", "Gated", Gates, GatedOutputMode.GatedVector);
        Assert.Equal(Gates, GateApplication.ReadGates(GateApplication.Gates(chain)));
    }

    [Fact]
    public void A_gate_without_an_exact_float_reciprocal_is_held_within_one_ulp()
    {
        // e.g. 0.999999f and 0.123456789f: no float m has 1f / m == g, so the normalizer's scale 1f / m is the nearest
        // it can hold (one ulp below for these two). Only KeptGateValue.TestTimeGate makes such gates.
        var random = new Random(5);
        float[] gates = [0.999999f, 0.123456789f, .. Enumerable.Range(0, 500).Select(_ => (float)random.NextDouble())];
        var chain = GateApplication.Fit(new MLContext(seed: 1), "Features", "Gated", gates, GatedOutputMode.GatedVector);
        float[] held = GateApplication.ReadGates(GateApplication.Gates(chain));
        for (int j = 0; j < gates.Length; j++)
        {
            if (gates[j] == 0f || HasExactReciprocal(gates[j])) Assert.Equal(gates[j], held[j]);
            else Assert.InRange(Math.Abs(BitConverter.SingleToInt32Bits(held[j]) - BitConverter.SingleToInt32Bits(gates[j])), 1, 1);
        }
        Assert.False(HasExactReciprocal(0.999999f));
    }

    [Fact]
    public void MLNet_min_max_normalizer_multiplies_by_the_gates_exactly_in_memory_and_after_Save_and_Load()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = SelectionData.View(ml, Rows, new bool[Rows.Length]);
        var chain = GateApplication.Fit(ml, "Features", "Gated", Gates, GatedOutputMode.GatedVector);
        // Exact float products (compared as values: ML.NET writes a zero product as 0, where x * 0 is -0 for x < 0).
        float[][] expected = [.. Rows.Select(row => row.Select((x, j) => x * Gates[j]).ToArray())];
        Assert.Equal(expected, Gated(chain, data));

        using var stream = new MemoryStream();
        ml.Model.Save(chain, data.Schema, stream);
        stream.Position = 0;
        var loaded = (TransformerChain<ITransformer>)new MLContext(seed: 2).Model.Load(stream, out _);
        Assert.Equal(Gates, GateApplication.ReadGates(GateApplication.Gates(loaded)));
        Assert.Equal(expected, Gated(loaded, data));
    }

    private static float[][] Gated(ITransformer chain, IDataView data) =>
        [.. chain.Transform(data).GetColumn<VBuffer<float>>("Gated").Select(v => v.DenseValues().ToArray())];

    /// <summary>Whether a float m with 1f / m == g exists next to 1f / g (where GateApplication looks).</summary>
    private static bool HasExactReciprocal(float g)
    {
        float m = 1f / g;
        return 1f / m == g || 1f / MathF.BitIncrement(m) == g || 1f / MathF.BitDecrement(m) == g;
    }
}
