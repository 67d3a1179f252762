using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Ml.Relaxation.Data;
using Ml.Relaxation.Models.GatedSelection;

namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>
/// Keeps <see cref="GatedSelectorStatistics"/> inside a saved model. <c>mlContext.Model.Save</c> persists only
/// built-in transformers, and the gates live in built-ins already (<see cref="GateApplication"/>); the statistics ride
/// along as the name of a hidden column: a built-in <c>CopyColumns</c> copies the feature column to a column named
/// <see cref="Prefix"/> + JSON, and a built-in <c>DropColumns</c> removes it at once. Rows never materialize it (ML.NET
/// computes only columns that are read), the visible schema is unchanged, and <see cref="Collect"/> reads the name back
/// from any chain, saved and loaded or not.
/// </summary>
internal static class StatisticsColumn
{
    /// <summary>The start of the hidden column's name; the JSON document follows.</summary>
    public const string Prefix = "Ml.Relaxation.GatedSelectorStatistics/1:";

    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The two built-in transformers that carry <paramref name="statistics"/> past a column <paramref name="inputColumn"/> of <paramref name="slotCount"/> floats.</summary>
    public static ITransformer[] Fit(MLContext context, string inputColumn, int slotCount, GatedSelectorStatistics statistics)
    {
        string name = Prefix + JsonSerializer.Serialize(Payload.From(statistics), Json);
        var definition = SchemaDefinition.Create(typeof(VectorRow));
        definition[0].ColumnName = inputColumn;
        definition[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, slotCount);
        var rows = context.Data.LoadFromEnumerable(new[] { new VectorRow { Values = new float[slotCount] } }, definition);
        var copy = context.Transforms.CopyColumns(name, inputColumn).Fit(rows);
        var drop = context.Transforms.DropColumns(name).Fit(copy.Transform(rows));
        return [copy, drop];
    }

    /// <summary>Adds the statistics of every selector in <paramref name="model"/> (taking <paramref name="schema"/>) to <paramref name="found"/>; returns the output schema.</summary>
    public static DataViewSchema Collect(ITransformer model, DataViewSchema schema, List<GatedSelectorStatistics> found)
    {
        switch (model)
        {
            case GatedFeatureSelectorTransformer selector:
                found.Add(selector.Statistics);
                return selector.GetOutputSchema(schema);
            case IEnumerable<ITransformer> chain:
                foreach (ITransformer inner in chain) schema = Collect(inner, schema, found);
                return schema;
            case ColumnCopyingTransformer copy:
                var output = copy.GetOutputSchema(schema);
                foreach (var column in output)
                    if (column.Name.StartsWith(Prefix, StringComparison.Ordinal))
                        found.Add(JsonSerializer.Deserialize<Payload>(column.Name.AsSpan(Prefix.Length), Json)!.ToStatistics());
                return output;
            default:
                return model.GetOutputSchema(schema);
        }
    }

    private sealed class VectorRow
    {
        public float[] Values { get; set; } = [];
    }

    /// <summary>
    /// The JSON document: per-slot arrays in slot order (the ranking is recomputed by <see cref="FeatureScoring.Scores"/>).
    /// The joint subset's fields come last and default to absent, so models saved before they existed still load.
    /// </summary>
    private sealed record Payload(
        string FeatureColumn, string OutputColumn, LabelTask Task, string[] SlotNames, float[] Scores, float[] KeepProbabilities,
        int[] Kept, float[] AppliedGates, int? MaximumFeatureCount, float? SelectionThreshold, double FalseSelectionBound,
        int StabilityFits, int SlotGroups, double MeanSelectedPerFit, double MeanFitTrainingLoss, double MeanFitHoldoutLoss,
        GatedSelectionEpoch[] History, long TrainingRows, long SkippedRows, float[]? SubsetFrequencies = null,
        JointSubsetLosses? JointSubsetHoldoutLosses = null)
    {
        public static Payload From(GatedSelectorStatistics s)
        {
            var bySlot = s.FeatureScores.OrderBy(f => f.SlotIndex).ToArray();
            return new Payload(s.FeatureColumnName, s.OutputColumnName, s.Task, [.. bySlot.Select(f => f.SlotName)],
                [.. bySlot.Select(f => f.Score)], [.. bySlot.Select(f => f.KeepProbability)], [.. s.KeptSlotIndices], [.. s.AppliedGates],
                s.MaximumFeatureCount, s.SelectionThreshold, s.FalseSelectionBound, s.StabilityFits, s.SlotGroups, s.MeanSelectedPerFit,
                s.MeanFitTrainingLoss, s.MeanFitHoldoutLoss, [.. s.History], s.TrainingRows, s.SkippedRows,
                bySlot.Any(f => !float.IsNaN(f.SubsetFrequency)) ? [.. bySlot.Select(f => f.SubsetFrequency)] : null,
                s.JointSubsetHoldoutLosses);
        }

        public GatedSelectorStatistics ToStatistics() => new(FeatureColumn, OutputColumn, Task,
            FeatureScoring.Scores(SlotNames, Scores, KeepProbabilities, SubsetFrequencies, JointSubsetHoldoutLosses is { SubsetWins: true }, Kept), AppliedGates,
            MaximumFeatureCount, SelectionThreshold, FalseSelectionBound, StabilityFits, SlotGroups, MeanSelectedPerFit, MeanFitTrainingLoss,
            MeanFitHoldoutLoss, JointSubsetHoldoutLosses, History, TrainingRows, SkippedRows);
    }
}

/// <summary>Builds the ranked <see cref="GatedFeatureScore"/> list from per-slot arrays.</summary>
internal static class FeatureScoring
{
    /// <summary>
    /// One score per slot, best first: by <see cref="GateSelection.RankBySubset"/> when <paramref name="rankedBySubset"/>,
    /// else by <see cref="GateSelection.Rank"/>. <paramref name="subsetFrequencies"/> is null without the joint subset search.
    /// </summary>
    public static GatedFeatureScore[] Scores(IReadOnlyList<string> slotNames, float[] scores, float[] keepProbabilities,
        float[]? subsetFrequencies, bool rankedBySubset, IReadOnlyCollection<int> kept)
    {
        if (rankedBySubset && subsetFrequencies is null) throw new ArgumentException("A ranking by subset frequency needs the frequencies.", nameof(subsetFrequencies));
        int[] order = rankedBySubset ? GateSelection.RankBySubset(subsetFrequencies, scores, keepProbabilities) : GateSelection.Rank(scores, keepProbabilities);
        var keptSet = kept.ToHashSet();
        return [.. order.Select((j, i) => new GatedFeatureScore(j, slotNames[j], scores[j], keepProbabilities[j], i + 1, keptSet.Contains(j),
            subsetFrequencies?[j] ?? float.NaN))];
    }
}
