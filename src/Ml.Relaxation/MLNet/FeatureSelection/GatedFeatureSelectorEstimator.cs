using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Ml.Relaxation.MLNet.Data;
using Ml.Relaxation.Models.GatedSelection;

namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>
/// Learns one Hard Concrete (L0) gate per slot of a feature vector jointly with a small predictor on the label, and
/// produces a <see cref="GatedFeatureSelectorTransformer"/> that applies the learned deterministic gates. Create it
/// with <c>mlContext.Relaxation().SelectFeaturesWithGates(...)</c>.
/// </summary>
/// <remarks>
/// Training reads the data through cursors: one pass for the feature statistics (and the class counts), then
/// shuffled mini-batches per epoch. A part (training or validation) of at most 4,194,304 feature values (16 MB) is
/// read once and shuffled in memory; a larger one streams through a cursor every epoch with a shuffle pool of 4096
/// rows. Memory is therefore bounded by max(16 MB, 4096 x slot count floats) per part plus one mini-batch and the
/// model, whatever the number of rows.
/// </remarks>
public sealed class GatedFeatureSelectorEstimator : IEstimator<GatedFeatureSelectorTransformer>
{
    private readonly MLContext _context;
    private readonly IHost _host;
    private readonly GatedFeatureSelectorOptions _options;

    internal GatedFeatureSelectorEstimator(MLContext context, IHostEnvironment environment, GatedFeatureSelectorOptions options)
    {
        _context = context;
        _host = environment.Register(nameof(GatedFeatureSelectorEstimator));
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        ValidateOptions(_options, slotCount: null);
    }

    /// <summary>The feature column name.</summary>
    public string FeatureColumnName => _options.FeatureColumnName;

    /// <summary>The output column name.</summary>
    public string OutputColumnName => _options.OutputColumnName ?? _options.FeatureColumnName;

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ColumnValidation.CheckFeatureColumn(inputSchema, _options.FeatureColumnName, _host);
        var label = FindShapeColumn(inputSchema, _options.LabelColumnName);
        var task = _options.Task ?? (label.IsKey ? GatedSelectionTask.MulticlassClassification : InferTask(label.ItemType));
        ColumnValidation.CheckLabelColumn(inputSchema, _options.LabelColumnName, ToLabelTask(task), _host);
        return BuiltInEquivalent().GetOutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    public GatedFeatureSelectorTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using IChannel ch = _host.Start("Fitting the gated feature selector");
        var (_, slotCount) = ColumnValidation.CheckFeatureColumn(input.Schema, _options.FeatureColumnName, _host);
        var labelColumn = input.Schema.GetColumnOrNull(_options.LabelColumnName)
            ?? throw _host.Process(new ArgumentOutOfRangeException("inputSchema", $"Could not find label column '{_options.LabelColumnName}'."));
        GatedSelectionTask task = _options.Task ?? InferTask(labelColumn.Type);
        ColumnValidation.CheckLabelColumn(input.Schema, _options.LabelColumnName, ToLabelTask(task), _host);
        ValidateOptions(_options, slotCount);

        ulong seed = _options.Seed is int s ? (ulong)(uint)s : (ulong)(uint)_host.Rand.Next();
        var columns = new BatchSourceOptions
        {
            FeatureColumn = _options.FeatureColumnName,
            LabelColumn = _options.LabelColumnName,
            LabelTask = ToLabelTask(task),
            NonFiniteRows = _options.SkipRowsWithMissingValues ? NonFiniteRowPolicy.Skip : NonFiniteRowPolicy.Reject,
            Seed = seed,
            ValidationFraction = _options.ValidationFraction,
            BatchSize = _options.BatchSize,
        };
        var summary = DataSummary.Compute(input, columns, DataPart.Training);
        summary.ThrowIfEmpty();
        summary.ThrowIfSingleClass();
        var scaling = Scaling(input, columns, summary, task);
        var settings = ToSettings(_options, task, Math.Max(2, summary.ClassCounts.Count), seed);
        ch.Info(MessageSensitivity.None, "{0} training rows ({1} skipped), {2} slots, task {3}, penalty lambda/N = {4}",
            summary.Pass.RowsUsed, summary.Pass.RowsSkipped, slotCount, task, settings.L0Strength / summary.Pass.RowsUsed);

        var (train, _) = TrainingSources.Create(input, columns, DataPart.Training, summary.Pass.RowsUsed, slotCount);
        long expectedValidation = (long)Math.Ceiling(summary.Pass.RowsRead * _options.ValidationFraction / (1 - _options.ValidationFraction));
        var (validation, validationSkipped) = _options.ValidationFraction > 0
            ? TrainingSources.Create(input, columns, DataPart.Validation, expectedValidation, slotCount)
            : (null, () => 0L);
        var progress = new EpochLog(ch, _options.Progress);
        GatedSelectionResult result = GatedSelectorTrainer.Train(settings, scaling, train, summary.Pass.RowsUsed, validation,
            progress, _options.CancellationToken);
        long skipped = summary.Pass.RowsSkipped + validationSkipped();
        ch.Info(MessageSensitivity.None, "kept {0} of {1} slots; expected L0 {2}", result.KeptSlots.Count, slotCount, result.ExpectedL0);

        var applied = GateApplication.Fit(_context, _options.FeatureColumnName, OutputColumnName, [.. result.Gates], _options.OutputMode);
        return new GatedFeatureSelectorTransformer(applied, result, _options.FeatureColumnName, OutputColumnName,
            SlotNames(input.Schema[_options.FeatureColumnName], slotCount), task, summary.Pass.RowsUsed, skipped);
    }

    private static FeatureScaling Scaling(IDataView input, BatchSourceOptions columns, DataSummary summary, GatedSelectionTask task)
    {
        float[] mean = [.. summary.Features.Mean.ToArray().Select(m => (float)m)];
        float[] std = [.. summary.Features.StandardDeviation().Select(v => (float)v)];
        if (task != GatedSelectionTask.Regression) return new FeatureScaling(mean, std);
        // the target's mean and standard deviation: one more streamed pass, in data order
        var ordered = new DataViewBatchSource(input, new BatchSourceOptions
        {
            FeatureColumn = columns.FeatureColumn, LabelColumn = columns.LabelColumn, LabelTask = columns.LabelTask,
            NonFiniteRows = columns.NonFiniteRows, Seed = columns.Seed, ValidationFraction = columns.ValidationFraction,
            BatchSize = 1024, ShufflePoolRows = 1,
        });
        var targets = new FeatureStatistics(1);
        foreach (var batch in ordered.Batches(0))
            for (int r = 0; r < batch.Rows; r++) targets.Add(batch.Targets.Row(r));
        return new FeatureScaling(mean, std, (float)targets.Mean[0], (float)targets.StandardDeviation()[0]);
    }

    private IEstimator<ITransformer> BuiltInEquivalent() =>
        GateApplication.OutputSchemaEstimator(_context, _options.FeatureColumnName, OutputColumnName, _options.OutputMode);

    private SchemaShape.Column FindShapeColumn(SchemaShape shape, string name)
    {
        for (int i = shape.Count - 1; i >= 0; i--)
            if (shape[i].Name == name) return shape[i];
        throw _host.Process(new ArgumentOutOfRangeException("inputSchema", $"Could not find label column '{name}'."));
    }

    /// <summary>Boolean -> binary, key or integer -> multiclass, Single/Double -> regression.</summary>
    private GatedSelectionTask InferTask(DataViewType? type) => type switch
    {
        BooleanDataViewType => GatedSelectionTask.BinaryClassification,
        KeyDataViewType => GatedSelectionTask.MulticlassClassification,
        _ when type == NumberDataViewType.Single || type == NumberDataViewType.Double => GatedSelectionTask.Regression,
        _ when type is not null && ColumnValidation.IsIntegral(type) => GatedSelectionTask.MulticlassClassification,
        _ => throw _host.Process(new ArgumentOutOfRangeException("inputSchema",
            $"Label column '{_options.LabelColumnName}' must be Boolean (binary), a key or integer (multiclass), or Single/Double (regression); got {type}.")),
    };

    private static LabelTask ToLabelTask(GatedSelectionTask task) => task switch
    {
        GatedSelectionTask.BinaryClassification => LabelTask.BinaryClassification,
        GatedSelectionTask.MulticlassClassification => LabelTask.MulticlassClassification,
        _ => LabelTask.Regression,
    };

    private static IReadOnlyList<string> SlotNames(DataViewSchema.Column column, int slotCount)
    {
        var names = new string[slotCount];
        Array.Fill(names, "");
        if (column.HasSlotNames())
        {
            VBuffer<ReadOnlyMemory<char>> buffer = default;
            column.GetSlotNames(ref buffer);
            foreach (var (index, value) in buffer.Items()) names[index] = value.ToString();
        }
        return names;
    }

    private static GatedSelectorSettings ToSettings(GatedFeatureSelectorOptions o, GatedSelectionTask task, int classCount, ulong seed) => new()
    {
        Task = task,
        ClassCount = classCount,
        HiddenSizes = o.HiddenSizes,
        MaximumFeatureCount = o.MaximumFeatureCount,
        L0Strength = o.L0Strength,
        KeptGateValue = o.KeptGateValue,
        Epochs = o.Epochs,
        BatchSize = o.BatchSize,
        LearningRate = o.LearningRate,
        GateLearningRate = o.GateLearningRate,
        InitialKeepProbability = o.InitialKeepProbability,
        GateWarmupFraction = o.GateWarmupFraction,
        Gamma = o.Gamma,
        Zeta = o.Zeta,
        Temperature = o.Temperature,
        EarlyStoppingPatience = o.EarlyStoppingPatience > 0 ? o.EarlyStoppingPatience : null,
        Seed = seed,
    };

    /// <summary>Checks every option; <paramref name="slotCount"/> null checks what can be checked before seeing data.</summary>
    private void ValidateOptions(GatedFeatureSelectorOptions o, int? slotCount)
    {
        try
        {
            CheckName(o.FeatureColumnName, nameof(o.FeatureColumnName));
            CheckName(o.LabelColumnName, nameof(o.LabelColumnName));
            if (o.OutputColumnName is not null) CheckName(o.OutputColumnName, nameof(o.OutputColumnName));
            if (o.Task is GatedSelectionTask t && !Enum.IsDefined(t))
                throw new ArgumentOutOfRangeException(nameof(o.Task), t, "Expected a defined task, or null to infer it.");
            if (!Enum.IsDefined(o.OutputMode))
                throw new ArgumentOutOfRangeException(nameof(o.OutputMode), o.OutputMode, "Expected KeptSlots or GatedVector.");
            if (!(o.ValidationFraction >= 0f && o.ValidationFraction < 1f))
                throw new ArgumentOutOfRangeException(nameof(o.ValidationFraction), o.ValidationFraction, "Expected a fraction in [0, 1).");
            if (o.EarlyStoppingPatience < 0)
                throw new ArgumentOutOfRangeException(nameof(o.EarlyStoppingPatience), o.EarlyStoppingPatience, "Expected a patience >= 0 (0 disables early stopping).");
            if (o.EarlyStoppingPatience > 0 && o.ValidationFraction == 0f)
                throw new ArgumentOutOfRangeException(nameof(o.EarlyStoppingPatience), o.EarlyStoppingPatience, "Early stopping needs a ValidationFraction > 0.");
            ToSettings(o, GatedSelectionTask.BinaryClassification, 2, 0).Validate(slotCount ?? int.MaxValue);
            if (slotCount is int d && o.MaximumFeatureCount is int k && k > d)
                throw new ArgumentOutOfRangeException(nameof(o.MaximumFeatureCount), k,
                    $"Expected k from 1 to the slot count {d} of column '{o.FeatureColumnName}'.");
        }
        catch (ArgumentException e)
        {
            throw _host.Process(e);
        }
    }

    private static void CheckName(string? name, string option)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("Expected a column name.", option);
    }

    /// <summary>Logs every epoch to the ML.NET channel and forwards it to the user's progress.</summary>
    private sealed class EpochLog(IChannel channel, IProgress<GatedSelectionEpoch>? user) : IProgress<GatedSelectionEpoch>
    {
        public void Report(GatedSelectionEpoch value)
        {
            channel.Info(MessageSensitivity.None, "epoch {0}: loss {1:G5}, validation loss {2:G5}, expected L0 {3:G4}, open gates {4}",
                value.Epoch, value.TrainingLoss, value.ValidationLoss, value.ExpectedL0, value.OpenGates);
            user?.Report(value);
        }
    }
}
