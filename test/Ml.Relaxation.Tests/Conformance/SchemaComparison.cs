using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Relaxation.Tests.Conformance;

/// <summary>Compares schemas as TestEstimatorCore does: columns, types and the SlotNames and KeyValues annotations.</summary>
public static class SchemaComparison
{
    private static readonly string[] KnownAnnotations = ["SlotNames", "KeyValues"]; // AnnotationUtils.Kinds is internal

    /// <summary>
    /// The differences between <paramref name="expected"/> and <paramref name="actual"/>: column count, names, indices,
    /// hidden-ness, types, and the values of SlotNames and KeyValues annotations; empty when they are the same.
    /// </summary>
    public static List<string> Differences(DataViewSchema expected, DataViewSchema actual)
    {
        var diffs = new List<string>();
        if (expected.Count != actual.Count)
            diffs.Add($"{expected.Count} columns ({Names(expected)}) vs {actual.Count} ({Names(actual)})");
        for (int i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            var e = expected[i];
            var a = actual[i];
            string at = $"column {i} '{e.Name}'";
            if (e.Name != a.Name) diffs.Add($"column {i} is named '{e.Name}' vs '{a.Name}'");
            if (e.IsHidden != a.IsHidden) diffs.Add($"{at}: hidden {e.IsHidden} vs {a.IsHidden}");
            if (!e.Type.Equals(a.Type)) diffs.Add($"{at}: type {e.Type} vs {a.Type}");
            foreach (var kind in KnownAnnotations)
            {
                var ea = e.Annotations.Schema.GetColumnOrNull(kind);
                var aa = a.Annotations.Schema.GetColumnOrNull(kind);
                if (ea is null != aa is null)
                {
                    diffs.Add($"{at}: annotation {kind} {(ea is null ? "absent" : "present")} vs {(aa is null ? "absent" : "present")}");
                    continue;
                }
                if (ea is null || aa is null) continue;
                if (!ea.Value.Type.Equals(aa.Value.Type))
                {
                    diffs.Add($"{at}: annotation {kind} type {ea.Value.Type} vs {aa.Value.Type}");
                    continue;
                }
                var ev = AnnotationValue(e.Annotations, ea.Value);
                var av = AnnotationValue(a.Annotations, aa.Value);
                if (!ColumnValues.Same(ev, av, out var why)) diffs.Add($"{at}: annotation {kind} differs: {why}");
            }
            if (e.Annotations.Schema.GetColumnOrNull("NoSuchAnnotationKind") is not null)
                diffs.Add($"{at}: an unknown annotation kind is reported present");
        }
        return diffs;
    }

    private static object? AnnotationValue(DataViewSchema.Annotations annotations, DataViewSchema.Column column) =>
        ColumnValues.Getter(AnnotationRow.Of(annotations), column)();

    private static string Names(DataViewSchema schema) => string.Join(", ", schema.Select(c => c.Name));

    /// <summary>
    /// What <paramref name="promised"/> (an estimator's <c>GetOutputSchema</c>) and <paramref name="delivered"/> (the
    /// fitted transformer's output) disagree on: the same visible columns by name both ways, each with the same vector
    /// kind, item type, key-ness and annotation kinds.
    /// </summary>
    public static List<string> PromiseDifferences(SchemaShape promised, DataViewSchema delivered)
    {
        var diffs = new List<string>();
        var actual = Shapes.Of(delivered);
        var promisedByName = Latest(promised);
        var deliveredByName = Latest(actual);
        foreach (var name in promisedByName.Keys.Except(deliveredByName.Keys))
            diffs.Add($"column '{name}' was promised but not delivered");
        foreach (var name in deliveredByName.Keys.Except(promisedByName.Keys))
            diffs.Add($"column '{name}' was delivered but not promised");
        foreach (var name in promisedByName.Keys.Intersect(deliveredByName.Keys))
        {
            var p = promisedByName[name];
            var d = deliveredByName[name];
            if (p.Kind != d.Kind) diffs.Add($"column '{name}': promised {p.Kind}, delivered {d.Kind}");
            if (!Equals(p.ItemType, d.ItemType)) diffs.Add($"column '{name}': promised item type {p.ItemType}, delivered {d.ItemType}");
            if (p.IsKey != d.IsKey) diffs.Add($"column '{name}': promised key {p.IsKey}, delivered key {d.IsKey}");
            var pa = p.Annotations.Select(a => $"{a.Name}:{a.Kind}:{a.ItemType}").Order().ToArray();
            var da = d.Annotations.Select(a => $"{a.Name}:{a.Kind}:{a.ItemType}").Order().ToArray();
            if (!pa.SequenceEqual(da))
                diffs.Add($"column '{name}': promised annotations [{string.Join(", ", pa)}], delivered [{string.Join(", ", da)}]");
        }
        return diffs;
    }

    private static Dictionary<string, SchemaShape.Column> Latest(SchemaShape shape)
    {
        var byName = new Dictionary<string, SchemaShape.Column>();
        foreach (var column in shape) byName[column.Name] = column; // later columns hide earlier ones
        return byName;
    }

    /// <summary>Annotations as a one-row <see cref="DataViewRow"/>, to read them with <see cref="ColumnValues.Getter"/>.</summary>
    private sealed class AnnotationRow : DataViewRow
    {
        private readonly DataViewSchema.Annotations _annotations;

        private AnnotationRow(DataViewSchema.Annotations annotations) => _annotations = annotations;

        public static DataViewRow Of(DataViewSchema.Annotations annotations) => new AnnotationRow(annotations);

        public override long Position => 0;
        public override long Batch => 0;
        public override DataViewSchema Schema => _annotations.Schema;
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _annotations.GetGetter<TValue>(column);
        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = default;
        public override bool IsColumnActive(DataViewSchema.Column column) => true;
    }
}
