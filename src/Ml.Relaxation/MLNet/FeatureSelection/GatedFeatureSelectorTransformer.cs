using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.Models.GatedSelection;

namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>
/// The fitted gated feature selector: applies deterministic learned gates to the feature column and exposes what was
/// learned. Transform, schema, row mapping and Save are forwarded to built-in ML.NET transformers
/// (<see cref="AppliedTransformers"/>), which is what <c>mlContext.Model.Load</c> returns in place of this type and
/// what <c>mlContext.Model.ConvertToOnnx</c> exports.
/// </summary>
public sealed class GatedFeatureSelectorTransformer : ITransformer
{
    private readonly TransformerChain<ITransformer> _applied;

    internal GatedFeatureSelectorTransformer(
        TransformerChain<ITransformer> applied, GatedSelectionResult result, string featureColumnName,
        string outputColumnName, IReadOnlyList<string> slotNames, GatedSelectionTask task, long trainingRows, long skippedRows)
    {
        _applied = applied;
        FeatureColumnName = featureColumnName;
        OutputColumnName = outputColumnName;
        Task = task;
        TrainingRows = trainingRows;
        SkippedRows = skippedRows;
        LogAlpha = result.LogAlpha;
        ProbabilityNonZero = result.ProbabilityNonZero;
        TestTimeGates = result.TestTimeGates;
        ExpectedL0 = result.ExpectedL0;
        History = result.History;
        KeptSlotIndices = result.KeptSlots;
        KeptSlotNames = [.. result.KeptSlots.Select(j => slotNames[j])];
        AppliedGates = GateApplication.ReadGates(GateApplication.Gates(applied));
    }

    /// <summary>The input column the gates apply to.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The output column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The task the head was trained on.</summary>
    public GatedSelectionTask Task { get; }

    /// <summary>Slot count of the feature column.</summary>
    public int SlotCount => LogAlpha.Count;

    /// <summary>Indices of the kept slots, ascending (their order in the output in <see cref="GatedOutputMode.KeptSlots"/> mode).</summary>
    public IReadOnlyList<int> KeptSlotIndices { get; }

    /// <summary>Slot names of the kept slots (empty strings where the input has no slot names), in the order of <see cref="KeptSlotIndices"/>.</summary>
    public IReadOnlyList<string> KeptSlotNames { get; }

    /// <summary>The learned log_alpha per slot.</summary>
    public IReadOnlyList<float> LogAlpha { get; }

    /// <summary>P(z != 0) per slot under the learned Hard Concrete distribution.</summary>
    public IReadOnlyList<float> ProbabilityNonZero { get; }

    /// <summary>
    /// The paper's deterministic test-time gate per slot, <c>min(1, max(0, sigmoid(log_alpha)(zeta - gamma) + gamma))</c>,
    /// before the final selection.
    /// </summary>
    public IReadOnlyList<float> TestTimeGates { get; }

    /// <summary>
    /// The multiplier this transformer applies per slot: 0 for dropped slots; for kept slots 1 or the test-time gate
    /// (see <see cref="KeptGateValue"/>). Read back from the built-in normalizer that holds it.
    /// </summary>
    public IReadOnlyList<float> AppliedGates { get; }

    /// <summary>Expected number of open gates, sum over slots of P(z != 0), at the end of training.</summary>
    public float ExpectedL0 { get; }

    /// <summary>One entry per completed epoch (training loss, validation loss, expected L0, open gates).</summary>
    public IReadOnlyList<GatedSelectionEpoch> History { get; }

    /// <summary>Rows used for training and validation.</summary>
    public long TrainingRows { get; }

    /// <summary>Rows skipped for NaN or infinite values (only with <see cref="GatedFeatureSelectorOptions.SkipRowsWithMissingValues"/>).</summary>
    public long SkippedRows { get; }

    /// <summary>
    /// The per-slot scores the ONNX export writes as "gate_scores" into the file's metadata, and what they are (see
    /// <c>mlContext.Relaxation().ConvertToOnnx</c>).
    /// </summary>
    internal (IReadOnlyList<float> Scores, string Kind) ExportedGateScores =>
        (ProbabilityNonZero, "P(z != 0) per slot under the learned Hard Concrete distribution");

    /// <summary>
    /// The built-in transformers that hold the gates: a size check, a min-max normalizer holding the gates, then a
    /// slot selector (<see cref="GatedOutputMode.KeptSlots"/>) or NaN-to-0 replacement
    /// (<see cref="GatedOutputMode.GatedVector"/>), and an export guard (see <c>GateApplication</c> and docs/design.md).
    /// </summary>
    public TransformerChain<ITransformer> AppliedTransformers => _applied;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return _applied.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return ((ITransformer)_applied).GetRowToRowMapper(inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Schema);
        return _applied.Transform(input);
    }

    /// <summary>Saves the built-in transformers that hold the gates; loading gives those back, not this type.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_applied).Save(ctx);

    private void CheckInput(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var column = inputSchema.GetColumnOrNull(FeatureColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Feature column '{FeatureColumnName}' not found.");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType n } vector || n != NumberDataViewType.Single
            || vector.Size != SlotCount)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"Feature column '{FeatureColumnName}' must be a vector of Single of size {SlotCount}, but is {column.Type}.");
    }
}
