using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.Data;
using Ml.Relaxation.Models.GatedSelection;

namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>
/// The fitted gated feature selector: applies deterministic learned gates to the feature column and exposes what was
/// learned (<see cref="Statistics"/>). Transform, schema, row mapping and Save are forwarded to built-in ML.NET
/// transformers (<see cref="AppliedTransformers"/>), which is what <c>mlContext.Model.Load</c> returns in place of this
/// type and what <c>mlContext.Relaxation().ConvertToOnnx</c> exports; <see cref="GatedSelectorStatistics.FindIn"/> reads the
/// statistics back from a loaded model.
/// </summary>
public sealed class GatedFeatureSelectorTransformer : ITransformer
{
    private readonly TransformerChain<ITransformer> _applied;

    internal GatedFeatureSelectorTransformer(TransformerChain<ITransformer> applied, GatedSelectorStatistics statistics)
    {
        _applied = applied;
        Statistics = statistics;
    }

    /// <summary>Everything the selector learned: the per-slot scores, the kept slots and why, and the final fit's history. Saved with the model.</summary>
    public GatedSelectorStatistics Statistics { get; }

    /// <summary>The input column the gates apply to.</summary>
    public string FeatureColumnName => Statistics.FeatureColumnName;

    /// <summary>The output column.</summary>
    public string OutputColumnName => Statistics.OutputColumnName;

    /// <summary>The task the head was trained on.</summary>
    public LabelTask Task => Statistics.Task;

    /// <summary>Slot count of the feature column.</summary>
    public int SlotCount => Statistics.SlotCount;

    /// <summary>One score per slot, best first: see <see cref="GatedFeatureScore"/>.</summary>
    public IReadOnlyList<GatedFeatureScore> FeatureScores => Statistics.FeatureScores;

    /// <summary>Indices of the kept slots, ascending (their order in the output in <see cref="GatedOutputMode.KeptSlots"/> mode).</summary>
    public IReadOnlyList<int> KeptSlotIndices => Statistics.KeptSlotIndices;

    /// <summary>Slot names of the kept slots (empty strings where the input has no slot names), in the order of <see cref="KeptSlotIndices"/>.</summary>
    public IReadOnlyList<string> KeptSlotNames => Statistics.KeptSlotNames;

    /// <summary>The multiplier this transformer applies per slot: 0 for dropped slots; for kept slots 1 or the final fit's test-time gate.</summary>
    public IReadOnlyList<float> AppliedGates => Statistics.AppliedGates;

    /// <summary>One entry per epoch of the final fit on the kept slots.</summary>
    public IReadOnlyList<GatedSelectionEpoch> History => Statistics.History;

    /// <summary>Rows used for training (the validation rows excluded).</summary>
    public long TrainingRows => Statistics.TrainingRows;

    /// <summary>Rows skipped for NaN or infinite values (only with <see cref="GatedFeatureSelectorOptions.SkipRowsWithMissingValues"/>).</summary>
    public long SkippedRows => Statistics.SkippedRows;

    /// <summary>
    /// The built-in transformers that hold the statistics (see <see cref="GatedSelectorStatistics.FindIn"/>) and the
    /// gates: a size check, a min-max normalizer holding the gates, a slot selector (<see cref="GatedOutputMode.KeptSlots"/>)
    /// or NaN-to-0 replacement (<see cref="GatedOutputMode.GatedVector"/>), and an export guard (see <c>GateApplication</c>).
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

    /// <summary>Saves the built-in transformers that hold the statistics and gates; loading gives those back, not this type.</summary>
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
