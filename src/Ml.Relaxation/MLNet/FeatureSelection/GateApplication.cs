using System.Collections.Immutable;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>
/// Holds learned per-slot gates inside ML.NET's built-in transformers, so that a pipeline containing the selector
/// saves and loads in a fresh <see cref="MLContext"/> like any built-in pipeline (a transformer type from an outside
/// assembly cannot be reloaded by <c>mlContext.Model.Load</c>). Its only job: apply the gates and drop slots.
/// </summary>
/// <remarks>
/// The chain, for input column F and output column O (hidden helper columns are named after O, see <see cref="Columns"/>):
/// <list type="number">
/// <item><b>size check</b>: <c>ApproximatedKernelMap</c> (rank 1) from F into a helper column that is dropped at once,
/// so never computed. It is the one built-in that rejects a vector of the wrong size when the schema is bound, with a clear
/// message, also after <c>Model.Load</c> (the normalizer only fails later with "Operation is not valid").</item>
/// <item><b>gates</b>: x * g per slot is an affine map with scale g and offset 0: <c>NormalizeMinMax(fixZero: true)</c>
/// fitted on the two rows 0 and m_j (m_j chosen so that 1/m_j is exactly g_j; 0 where g_j = 0) has exactly that
/// scale. A test-time gate with no such float m_j is held one ulp off. <c>GateApplicationTests</c> pin this ML.NET
/// detail (scale = 1/max in float, stored as <c>AffineNormalizerModelParameters.Scale</c>, applied as x * scale), which
/// <see cref="ReadGates"/> relies on.</item>
/// <item><see cref="GatedOutputMode.KeptSlots"/>: <c>SelectFeaturesBasedOnCount(count: 1)</c> fitted on the same two
/// gated rows drops the slots whose gate is 0 (a NaN in a kept slot stays NaN).
/// <see cref="GatedOutputMode.GatedVector"/>: <c>ReplaceMissingValues</c> turns every NaN into 0, so a dropped slot
/// (x * 0, NaN for a NaN or infinite x) is exactly 0 whatever the input. No built-in selects per slot, so a NaN in a
/// kept slot becomes 0 too (docs/design.md, "ONNX export"). The replacement is per slot (the minimum of the two gated
/// fitting rows, 0 everywhere): ML.NET saves a default replacement as a scalar, and the loaded transformer then
/// declares a one-column output in ONNX.</item>
/// <item><b>export guard</b>: <c>Expression("x => x")</c> copies the values into a helper column. ML.NET cannot convert
/// it to ONNX, so <c>mlContext.Model.ConvertToOnnx</c> stops there; the output is then written by
/// <c>ConvertType(Single)</c> (an exact copy) from that helper column, which ML.NET's converter finds missing, so it
/// drops O and the conversion fails ("can not be fully converted") instead of silently exporting a graph that scores
/// one row per batch (<c>SelectFeaturesBasedOnCount</c> exports as <c>GatherElements</c> with [1 x k] indices) or that
/// reads the raw input. <c>mlContext.Relaxation().ConvertToOnnx</c> swaps the guard for a copy and repairs the slot
/// dropper (<see cref="OnnxExport.PipelineOnnxExport"/>). The copy also drops the normalizer's
/// <c>IsNormalized = true</c>: the output holds gated raw values and keeps the input's slot names.</item>
/// <item><c>DropColumns</c> removes the helper columns.</item>
/// </list>
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
        IDataView rows = context.Data.LoadFromEnumerable(new[] { zero, reciprocal }, definition);

        var names = new Columns(outputColumn);
        var steps = new List<ITransformer>();
        ITransformer Add(IEstimator<ITransformer> estimator)
        {
            ITransformer step = estimator.Fit(rows);
            rows = step.Transform(rows);
            steps.Add(step);
            return step;
        }

        Add(SizeCheck(context, inputColumn, names));
        Add(context.Transforms.DropColumns(names.SizeCheck));
        Add(context.Transforms.NormalizeMinMax(names.Gated, inputColumn, fixZero: true));
        Add(mode == GatedOutputMode.KeptSlots
            ? context.Transforms.FeatureSelection.SelectFeaturesBasedOnCount(names.Gated, names.Gated, count: 1)
            : context.Transforms.ReplaceMissingValues(names.Gated, names.Gated, MissingValueReplacingEstimator.ReplacementMode.Minimum, imputeBySlot: true));
        foreach (var estimator in Tail(context, names)) Add(estimator);
        return new TransformerChain<ITransformer>([.. steps]);
    }

    /// <summary>
    /// The same chain as estimators (nothing fitted): what <see cref="GatedFeatureSelectorEstimator.GetOutputSchema"/>
    /// promises, since column shapes cannot be built outside ML.NET.
    /// </summary>
    public static IEstimator<ITransformer> OutputSchemaEstimator(MLContext context, string inputColumn, string outputColumn, GatedOutputMode mode)
    {
        var names = new Columns(outputColumn);
        IEstimator<ITransformer> chain = SizeCheck(context, inputColumn, names)
            .Append(context.Transforms.DropColumns(names.SizeCheck))
            .Append(context.Transforms.NormalizeMinMax(names.Gated, inputColumn, fixZero: true))
            .Append<ITransformer>(mode == GatedOutputMode.KeptSlots
                ? context.Transforms.FeatureSelection.SelectFeaturesBasedOnCount(names.Gated, names.Gated, count: 1)
                : context.Transforms.ReplaceMissingValues(names.Gated, names.Gated, MissingValueReplacingEstimator.ReplacementMode.Minimum, imputeBySlot: true));
        foreach (var estimator in Tail(context, names)) chain = chain.Append(estimator);
        return chain;
    }

    /// <summary>The gate normalizer of a chain built by <see cref="Fit"/>, also after <c>Model.Load</c>.</summary>
    public static NormalizingTransformer Gates(IEnumerable<ITransformer> chain) =>
        chain.OfType<NormalizingTransformer>().FirstOrDefault()
        ?? throw new InvalidOperationException("Expected the gated selector's chain to hold a min-max normalizer.");

    /// <summary>The per-slot multipliers held by a chain built by <see cref="Fit"/> (or loaded back from a saved model).</summary>
    public static float[] ReadGates(ITransformer normalizer)
    {
        var parameters = ((NormalizingTransformer)normalizer).GetNormalizerModelParameters(0);
        return parameters is NormalizingTransformer.AffineNormalizerModelParameters<ImmutableArray<float>> affine
            ? [.. affine.Scale]
            : throw new InvalidOperationException("Expected an affine normalizer over a vector column.");
    }

    /// <summary>
    /// The names of the hidden helper columns for output column O. They end in fixed suffixes, so an exporter can
    /// recognize the chain in a loaded model (<see cref="TryParse"/>); every one is dropped at the end of the chain.
    /// </summary>
    public sealed record Columns(string Output)
    {
        private const string Prefix = ".GatedSelector.";

        /// <summary>The size check's dropped output.</summary>
        public string SizeCheck => Output + Prefix + "SizeCheck";

        /// <summary>The gated values (then only the kept slots, or NaN replaced).</summary>
        public string Gated => Output + Prefix + "Gated";

        /// <summary>The export guard's copy of <see cref="Gated"/>.</summary>
        public string Guard => Output + Prefix + "Guard";

        /// <summary>The output column whose helper column is <paramref name="helper"/>, or null for another column.</summary>
        public static Columns? TryParse(string helper, string suffix)
        {
            string tail = Prefix + suffix;
            return helper.Length > tail.Length && helper.EndsWith(tail, StringComparison.Ordinal) ? new Columns(helper[..^tail.Length]) : null;
        }
    }

    private static IEstimator<ITransformer> SizeCheck(MLContext context, string inputColumn, Columns names) =>
        context.Transforms.ApproximatedKernelMap(names.SizeCheck, inputColumn, rank: 1, seed: 0);

    private static IEnumerable<IEstimator<ITransformer>> Tail(MLContext context, Columns names) =>
    [
        context.Transforms.Expression(names.Guard, "x => x", names.Gated),
        context.Transforms.Conversion.ConvertType(names.Output, names.Guard, DataKind.Single),
        context.Transforms.DropColumns(names.Gated, names.Guard),
    ];

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
