using System.Collections.Immutable;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>
/// Holds learned per-slot gates inside ML.NET's built-in transformers, so that a pipeline containing the selector
/// saves, loads in a fresh <see cref="MLContext"/> and exports to ONNX like any built-in pipeline (a transformer type
/// from an outside assembly cannot be reloaded by <c>mlContext.Model.Load</c>).
/// </summary>
/// <remarks>
/// x * g per slot is an affine map with scale g and offset 0: <c>NormalizeMinMax(fixZero: true)</c> fitted on the two
/// rows 0 and m_j (m_j chosen so that 1/m_j is exactly g_j; 0 where g_j = 0) has exactly that scale, and 0 for a
/// constant-zero slot. <c>SelectFeaturesBasedOnCount(count: 1)</c> fitted on the same two gated rows drops the slots
/// whose gate is 0. Both keep the input's slot names.
/// </remarks>
internal static class GateApplication
{
    /// <summary>Fits the built-in transformers that multiply <paramref name="inputColumn"/> by <paramref name="gates"/>.</summary>
    public static TransformerChain<ITransformer> Fit(
        MLContext context, string inputColumn, string outputColumn, ReadOnlySpan<float> gates, GatedOutputMode mode)
    {
        var zero = new GateRow { Values = new float[gates.Length] };
        var reciprocal = new GateRow { Values = new float[gates.Length] };
        for (int j = 0; j < gates.Length; j++) reciprocal.Values[j] = ReciprocalWithExactInverse(gates[j]);

        var definition = SchemaDefinition.Create(typeof(GateRow));
        definition[0].ColumnName = inputColumn;
        definition[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, gates.Length);
        var rows = context.Data.LoadFromEnumerable(new[] { zero, reciprocal }, definition);

        var normalizer = context.Transforms.NormalizeMinMax(outputColumn, inputColumn, fixZero: true).Fit(rows);
        if (mode == GatedOutputMode.GatedVector) return new TransformerChain<ITransformer>(normalizer);
        var selector = context.Transforms.FeatureSelection.SelectFeaturesBasedOnCount(outputColumn, outputColumn, count: 1)
            .Fit(normalizer.Transform(rows));
        return new TransformerChain<ITransformer>(normalizer, selector);
    }

    /// <summary>The per-slot multipliers held by a chain built by <see cref="Fit"/> (or loaded back from a saved model).</summary>
    public static float[] ReadGates(ITransformer normalizer)
    {
        var parameters = ((NormalizingTransformer)normalizer).GetNormalizerModelParameters(0);
        return parameters is NormalizingTransformer.AffineNormalizerModelParameters<ImmutableArray<float>> affine
            ? [.. affine.Scale]
            : throw new InvalidOperationException("Expected an affine normalizer over a vector column.");
    }

    /// <summary>
    /// m with <c>1f / m == g</c> exactly where such a float exists next to <c>1f / g</c> (0 for g = 0), so the
    /// normalizer's scale 1/max reproduces the gate bit for bit.
    /// </summary>
    private static float ReciprocalWithExactInverse(float g)
    {
        if (g == 0f) return 0f;
        float m = 1f / g;
        if (1f / m == g) return m;
        if (1f / MathF.BitIncrement(m) == g) return MathF.BitIncrement(m);
        if (1f / MathF.BitDecrement(m) == g) return MathF.BitDecrement(m);
        return m;
    }

    private sealed class GateRow
    {
        public float[] Values { get; set; } = [];
    }
}
