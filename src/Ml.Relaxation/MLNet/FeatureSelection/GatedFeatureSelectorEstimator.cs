using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Ml.Relaxation.Data;
using Ml.Relaxation.Engine;
using Ml.Relaxation.MLNet.Data;
using Ml.Relaxation.Models.GatedSelection;
using Ml.Relaxation.Parallelism;

namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>
/// Scores every slot of a feature vector by stability selection over Hard Concrete (L0) gates learned jointly with a
/// small predictor on the label, keeps the best slots, and produces a <see cref="GatedFeatureSelectorTransformer"/>
/// that applies the learned deterministic gates. Create it with <c>mlContext.Relaxation().SelectFeaturesWithGates(...)</c>;
/// <see cref="GatedFeatureSelectorOptions"/> describes the method and every option.
/// </summary>
/// <remarks>
/// Training reads the data through cursors: one pass for the feature statistics (and the class counts); one pass that
/// holds the stability fits' rows in memory (all training rows up to 16,777,216 feature values, 64 MB, else a uniform
/// sample of that size); then the final fit's shuffled mini-batches per epoch. For the final fit a part (training or
/// validation) of at most 4,194,304 feature values (16 MB) is read once and shuffled in memory; a larger one streams
/// through a cursor every epoch with a shuffle pool of 4096 rows. Memory is therefore bounded, whatever the number of
/// rows. The stability fits run in parallel on up to <c>DegreeOfParallelism.Current</c> threads; the result is the
/// same bits at any thread count.
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
        var task = _options.Task ?? (label.IsKey ? LabelTask.MulticlassClassification : InferTask(label.ItemType));
        ColumnValidation.CheckLabelColumn(inputSchema, _options.LabelColumnName, task, _host);
        return BuiltInEquivalent().GetOutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    public GatedFeatureSelectorTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using IChannel ch = _host.Start("Fitting the gated feature selector");
        FitInputs fit = Prepare(input, ch);
        var (scores, sample) = ScoreSlots(fit, ch);
        KeptSlots kept = ChooseKeptSlots(fit, scores, sample, ch);
        var (final, skipped) = FinalFit(fit, kept.Slots, ch);
        return BuildTransformer(fit, scores, kept, final, skipped);
    }

    /// <summary>
    /// What every step of <see cref="Fit"/> reads: the checked input, the resolved task, the rows' options (with the
    /// resolved seed), one pass's summary, the feature (and target) scaling, and the settings of each fit.
    /// </summary>
    private sealed record FitInputs(IDataView Input, int SlotCount, LabelTask Task, BatchSourceOptions Columns, DataSummary Summary,
        FeatureScaling Scaling, GatedSelectorSettings Settings, StabilityDesign Design, ProgressLog Progress);

    /// <summary>
    /// The kept slot indices (ascending), the score threshold (null with k), the bound on the expected false selections,
    /// and with k the joint subset search (null without k, or when k is the slot count).
    /// </summary>
    private sealed record KeptSlots(int[] Slots, float? Threshold, double Bound, JointSubset? Subset);

    /// <summary>The rows the stability fits read: [N x D] raw features and [N x 1] targets.</summary>
    private sealed record StabilityRows(Matrix Features, Matrix Targets);

    /// <summary>Checks the columns and options, resolves the task and seed, and reads the training rows' summary (one pass).</summary>
    private FitInputs Prepare(IDataView input, IChannel ch)
    {
        var (_, slotCount) = ColumnValidation.CheckFeatureColumn(input.Schema, _options.FeatureColumnName, _host);
        var labelColumn = input.Schema.GetColumnOrNull(_options.LabelColumnName)
            ?? throw _host.Process(new ArgumentOutOfRangeException("inputSchema", $"Could not find label column '{_options.LabelColumnName}'."));
        LabelTask task = _options.Task ?? InferTask(labelColumn.Type);
        ColumnValidation.CheckLabelColumn(input.Schema, _options.LabelColumnName, task, _host);
        ValidateOptions(_options, slotCount);

        ulong seed = _options.Seed is int s ? (ulong)(uint)s : (ulong)(uint)_host.Rand.Next();
        var columns = _options.ToBatchSourceOptions(task, seed);
        var summary = DataSummary.Compute(input, columns, DataPart.Training);
        summary.ThrowIfEmpty();
        summary.ThrowIfSingleClass();
        var scaling = Scaling(input, columns, summary, task);
        var settings = _options.ToFitSettings(task, Math.Max(2, summary.ClassCounts.Count), seed);
        var progress = new ProgressLog(ch, _options.Progress) { Epochs = _options.Epochs, Rounds = _options.StabilityRounds };
        return new FitInputs(input, slotCount, task, columns, summary, scaling, settings, _options.ToStabilityDesign(seed), progress);
    }

    /// <summary>Step 1: scores every slot by stability selection on (a sample of) the training rows.</summary>
    private (StabilityScores Scores, StabilityRows Rows) ScoreSlots(FitInputs fit, IChannel ch)
    {
        var (x, y) = StabilitySample.Read(fit.Input, fit.Columns, fit.SlotCount, fit.Summary.Pass.RowsUsed);
        ch.Info(MessageSensitivity.None, "{0} training rows ({1} skipped), {2} slots, task {3}; stability selection: {4} rounds x {5} slot groups x 2 half-samples of {6} rows",
            fit.Summary.Pass.RowsUsed, fit.Summary.Pass.RowsSkipped, fit.SlotCount, fit.Task, fit.Design.Rounds,
            Math.Min(fit.Design.SlotGroups, fit.SlotCount), x.Rows / 2);
        var scores = StabilitySelection.Run(fit.Settings, fit.Scaling, x, y, fit.Design, DegreeOfParallelism.Current,
            fit.Progress.FitCompleted, _options.CancellationToken);
        return (scores, new StabilityRows(x, y));
    }

    /// <summary>
    /// Step 2: with k, the k best by stability score or, when they predict better together on held-out rows, the k the
    /// joint subset search found; without k, every slot at or above the threshold that bounds the expected false selections.
    /// </summary>
    private KeptSlots ChooseKeptSlots(FitInputs fit, StabilityScores scores, StabilityRows rows, IChannel ch)
    {
        int[] ranking = GateSelection.Rank(scores.SelectionFrequency, scores.KeepProbability);
        float? threshold = _options.MaximumFeatureCount is null
            ? FalseSelectionBound.Threshold(scores.MeanSquaredGroupsTimesSelected, fit.SlotCount, _options.ExpectedFalseSelections)
            : null;
        JointSubset? subset = null;
        if (_options.MaximumFeatureCount is int k && k < fit.SlotCount)
        {
            subset = JointSubsetSearch.Run(fit.Settings, fit.Scaling, rows.Features, rows.Targets, scores, ranking, k, fit.Design.Rounds,
                fit.Design.Seed, DegreeOfParallelism.Current, fit.Progress.SubsetFitCompleted, _options.CancellationToken);
            ch.Info(MessageSensitivity.None, "joint subset search: held-out loss {0:G4} for the {1} best by score, {2:G4} for the {1} the Concrete selector fits picked most; keeping the {3}",
                subset.TopScoresHoldoutLoss, k, subset.SubsetHoldoutLoss, subset.SubsetWins ? "latter" : "former");
            if (subset.SubsetWins) ranking = subset.SubsetRanking;
        }
        int[] kept = GateSelection.Select(ranking, scores.SelectionFrequency, _options.MaximumFeatureCount, threshold ?? 0f);
        if (threshold is float t && scores.SelectionFrequency[ranking[0]] < t)
            ch.Warning(MessageSensitivity.None, "No slot reached the score threshold {0:G3}; kept the best one. Set MaximumFeatureCount to keep a fixed number.", t);
        double bound = FalseSelectionBound.ExpectedFalseSelections(scores.MeanSquaredGroupsTimesSelected, fit.SlotCount,
            threshold ?? kept.Min(j => scores.SelectionFrequency[j]));
        ch.Info(MessageSensitivity.None, "{0} stability fits selected {1:G3} slots on average (held-out loss {2:G4}, own rows {3:G4}); kept {4} of {5} slots; expected false selections <= {6:G3}",
            scores.FitCount, scores.MeanSelected, scores.MeanHoldoutLoss, scores.MeanTrainingLoss, kept.Length, fit.SlotCount, bound);
        OverfitWarning.Check(ch, "The stability fits", scores.MeanTrainingLoss, scores.MeanHoldoutLoss);
        return new KeptSlots(kept, threshold, bound, subset);
    }

    /// <summary>
    /// Step 3: a final fit on the kept slots over all training rows (streamed), for the history, the validation loss
    /// and the test-time gates. Also returns every skipped row (training and validation).
    /// </summary>
    private (GatedFitResult Final, long SkippedRows) FinalFit(FitInputs fit, int[] kept, IChannel ch)
    {
        var summary = fit.Summary;
        var (train, _) = TrainingSources.Create(fit.Input, fit.Columns, DataPart.Training, summary.Pass.RowsUsed, fit.SlotCount);
        long expectedValidation = (long)Math.Ceiling(summary.Pass.RowsRead * _options.ValidationFraction / (1 - _options.ValidationFraction));
        var (validation, validationSkipped) = _options.ValidationFraction > 0
            ? TrainingSources.Create(fit.Input, fit.Columns, DataPart.Validation, expectedValidation, fit.SlotCount)
            : (null, () => 0L);
        var finalSettings = fit.Settings with { L0Strength = _options.L0Strength ?? L0StrengthRule.ExtendedBic(summary.Pass.RowsUsed, kept.Length) };
        GatedFitResult final = GatedSelectorTrainer.Train(finalSettings, fit.Scaling.Subset(kept), new ColumnSubsetBatchSource(train, kept),
            summary.Pass.RowsUsed, validation is null ? null : new ColumnSubsetBatchSource(validation, kept), progress: fit.Progress,
            cancellationToken: _options.CancellationToken);
        if (final.History.Count > 0 && !float.IsNaN(final.History[^1].ValidationLoss))
            OverfitWarning.Check(ch, "The final fit", final.TrainingTaskLoss, final.History[^1].ValidationLoss);
        return (final, summary.Pass.RowsSkipped + validationSkipped());
    }

    /// <summary>
    /// Step 4: the gates, the statistics, and the transformer over the built-in chain that holds them (the statistics
    /// carrier, then <see cref="GateApplication"/>).
    /// </summary>
    private GatedFeatureSelectorTransformer BuildTransformer(FitInputs fit, StabilityScores scores, KeptSlots kept, GatedFitResult final, long skipped)
    {
        float[] gates = KeptGates(kept.Slots, final.TestTimeGates, fit.SlotCount, _options.KeptGateValue);
        var slotNames = SlotNames(fit.Input.Schema[_options.FeatureColumnName], fit.SlotCount);
        int[] keptSlots = [.. Enumerable.Range(0, fit.SlotCount).Where(j => gates[j] != 0f)];
        var statistics = new GatedSelectorStatistics(_options.FeatureColumnName, OutputColumnName, fit.Task,
            FeatureScoring.Scores(slotNames, scores.SelectionFrequency, scores.KeepProbability, kept.Subset?.SubsetFrequency,
                kept.Subset?.SubsetWins == true, keptSlots), gates,
            _options.MaximumFeatureCount, kept.Threshold, kept.Bound, scores.FitCount, scores.SlotGroups, scores.MeanSelected,
            scores.MeanTrainingLoss, scores.MeanHoldoutLoss, kept.Subset is { } j ? new JointSubsetLosses(j.TopScoresHoldoutLoss, j.SubsetHoldoutLoss) : null,
            final.History, fit.Summary.Pass.RowsUsed, skipped);

        var applied = GateApplication.Fit(_context, _options.FeatureColumnName, OutputColumnName, gates, _options.OutputMode);
        var carrier = StatisticsColumn.Fit(_context, _options.FeatureColumnName, fit.SlotCount, statistics);
        return new GatedFeatureSelectorTransformer(new TransformerChain<ITransformer>([.. carrier, .. applied]), statistics);
    }

    /// <summary>The multiplier per slot: 0 unless kept; 1 or the final fit's test-time gate (never all 0: the best kept slot then gets 1).</summary>
    private static float[] KeptGates(int[] kept, float[] finalTestTimeGates, int slotCount, KeptGateValue value)
    {
        var gates = new float[slotCount];
        // reported as applied: a gate the normalizer cannot hold exactly is reported as the value it holds
        for (int i = 0; i < kept.Length; i++) gates[kept[i]] = value == KeptGateValue.One ? 1f : GateApplication.Applied(finalTestTimeGates[i]);
        if (gates.All(g => g == 0f)) gates[kept[0]] = 1f;
        return gates;
    }

    private static FeatureScaling Scaling(IDataView input, BatchSourceOptions columns, DataSummary summary, LabelTask task)
    {
        float[] mean = [.. summary.Features.Mean.ToArray().Select(m => (float)m)];
        float[] std = [.. summary.Features.StandardDeviation().Select(v => (float)v)];
        if (task != LabelTask.Regression) return new FeatureScaling(mean, std);
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
    private LabelTask InferTask(DataViewType? type) => type switch
    {
        BooleanDataViewType => LabelTask.BinaryClassification,
        KeyDataViewType => LabelTask.MulticlassClassification,
        _ when type == NumberDataViewType.Single || type == NumberDataViewType.Double => LabelTask.Regression,
        _ when type is not null && ColumnValidation.IsIntegral(type) => LabelTask.MulticlassClassification,
        _ => throw _host.Process(new ArgumentOutOfRangeException("inputSchema",
            $"Label column '{_options.LabelColumnName}' must be Boolean (binary), a key or integer (multiclass), or Single/Double (regression); got {type}.")),
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

    /// <summary>Checks every option; <paramref name="slotCount"/> null checks what can be checked before seeing data.</summary>
    private void ValidateOptions(GatedFeatureSelectorOptions o, int? slotCount)
    {
        try
        {
            CheckName(o.FeatureColumnName, nameof(o.FeatureColumnName));
            CheckName(o.LabelColumnName, nameof(o.LabelColumnName));
            if (o.OutputColumnName is not null) CheckName(o.OutputColumnName, nameof(o.OutputColumnName));
            if (o.Task is LabelTask t && !Enum.IsDefined(t))
                throw new ArgumentOutOfRangeException(nameof(o.Task), t, "Expected a defined task, or null to infer it.");
            if (!Enum.IsDefined(o.OutputMode))
                throw new ArgumentOutOfRangeException(nameof(o.OutputMode), o.OutputMode, "Expected KeptSlots or GatedVector.");
            if (!(o.ValidationFraction >= 0f && o.ValidationFraction < 1f))
                throw new ArgumentOutOfRangeException(nameof(o.ValidationFraction), o.ValidationFraction, "Expected a fraction in [0, 1).");
            if (o.EarlyStoppingPatience < 0)
                throw new ArgumentOutOfRangeException(nameof(o.EarlyStoppingPatience), o.EarlyStoppingPatience, "Expected a patience >= 0 (0 disables early stopping).");
            if (o.EarlyStoppingPatience > 0 && o.ValidationFraction == 0f)
                throw new ArgumentOutOfRangeException(nameof(o.EarlyStoppingPatience), o.EarlyStoppingPatience, "Early stopping needs a ValidationFraction > 0.");
            if (o.MaximumFeatureCount is int k && k < 1)
                throw new ArgumentOutOfRangeException(nameof(o.MaximumFeatureCount), k,
                    "k (MaximumFeatureCount) is the number of slots to keep and must be at least 1; set null to keep the slots whose score reaches the threshold.");
            if (slotCount is int d && o.MaximumFeatureCount is int kk && kk > d)
                throw new ArgumentOutOfRangeException(nameof(o.MaximumFeatureCount), kk,
                    $"k (MaximumFeatureCount) = {kk} is more than the {d} slots of column '{o.FeatureColumnName}'; set k to at most {d}.");
            if (!(o.ExpectedFalseSelections > 0f) || !float.IsFinite(o.ExpectedFalseSelections))
                throw new ArgumentOutOfRangeException(nameof(o.ExpectedFalseSelections), o.ExpectedFalseSelections,
                    "Expected a finite number > 0 of noise slots accepted among the kept ones (default 1).");
            if (o.StabilityRounds < 1)
                throw new ArgumentOutOfRangeException(nameof(o.StabilityRounds), o.StabilityRounds, "Expected at least 1 round (default 10).");
            if (o.SlotGroups < 1)
                throw new ArgumentOutOfRangeException(nameof(o.SlotGroups), o.SlotGroups, "Expected at least 1 slot group (default 2; 1: every fit sees every slot).");
            o.ToFitSettings(LabelTask.BinaryClassification, 2, 0).Validate(slotCount ?? int.MaxValue);
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

    /// <summary>Logs progress to the ML.NET channel and forwards it to the user's progress.</summary>
    private sealed class ProgressLog(IChannel channel, IProgress<GatedSelectionProgress>? user) : IProgress<GatedSelectionEpoch>
    {
        private int _epochs;

        private int _subsetFits;

        public void FitCompleted(int done, int total)
        {
            channel.Info(MessageSensitivity.None, "stability fit {0} of {1} done", done, total);
            user?.Report(new GatedSelectionProgress(GatedSelectionStage.StabilityFits, done, total, null));
        }

        public void SubsetFitCompleted()
        {
            int total = JointSubsetSearch.FitCount(Rounds);
            channel.Info(MessageSensitivity.None, "joint subset fit {0} of {1} done", ++_subsetFits, total);
            user?.Report(new GatedSelectionProgress(GatedSelectionStage.JointSubsetFits, _subsetFits, total, null));
        }

        public int Rounds { get; init; }

        public void Report(GatedSelectionEpoch value)
        {
            channel.Info(MessageSensitivity.None, "final fit, epoch {0}: loss {1:G5}, validation loss {2:G5}, expected L0 {3:G4}, open gates {4}",
                value.Epoch, value.TrainingLoss, value.ValidationLoss, value.ExpectedL0, value.OpenGates);
            user?.Report(new GatedSelectionProgress(GatedSelectionStage.FinalFit, ++_epochs, Epochs, value));
        }

        public int Epochs { get; init; }
    }
}
