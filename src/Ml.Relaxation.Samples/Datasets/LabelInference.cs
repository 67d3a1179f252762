using System.Globalization;

namespace Ml.Relaxation.Samples.Datasets;

/// <summary>
/// Reads a label column's text as a task and label values. Without <c>--task</c>: true/false or 0/1 is binary; text
/// is classes; numbers that are not all integers are regression; integer codes are ambiguous (classes or amounts?)
/// and need <c>--task</c>, unless there are more than <see cref="MaxIntegerCodes"/> distinct values, which no one
/// means as classes. With <c>--task</c> the values are checked against it.
/// </summary>
internal static class LabelInference
{
    /// <summary>Up to this many distinct integers, a label could be class codes or amounts, so <c>--task</c> is asked for.</summary>
    public const int MaxIntegerCodes = 20;

    /// <summary>The most classes a multiclass label may have.</summary>
    public const int MaxClasses = 100;

    /// <summary>Infers or checks the task of a label column and converts its cells (none missing).</summary>
    /// <param name="source">The file, for messages.</param>
    /// <param name="column">The label column's name.</param>
    /// <param name="cells">Each row's line and label text.</param>
    /// <param name="task">The task given with <c>--task</c>, or null.</param>
    public static LabelColumn Infer(string source, string column, IReadOnlyList<(long Line, string Text)> cells, LearningTask? task)
    {
        var numbers = new double[cells.Count];
        int firstText = -1;
        for (int i = 0; i < cells.Count; i++)
        {
            if (!double.TryParse(cells[i].Text, NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) || !double.IsFinite(numbers[i]))
            {
                firstText = i;
                break;
            }
        }
        bool numeric = firstText < 0;
        bool boolean = cells.All(c => bool.TryParse(c.Text, out _));
        string where = $"{source}, label column '{column}'";

        switch (task)
        {
            case LearningTask.Regression:
                if (!numeric)
                    throw new InputError($"{where}: --task regression needs numbers; line {cells[firstText].Line} has '{cells[firstText].Text}'. "
                        + "Leave out --task to treat text labels as classes.");
                return new LabelColumn(column, LearningTask.Regression, numbers.Select(v => (float)v).ToArray(), null, null);
            case LearningTask.Binary:
                return Binary(where, column, cells, numeric ? numbers : null, boolean, note: null);
            case LearningTask.Multiclass:
                return Classes(where, column, cells, numeric ? numbers : null, note: null);
        }

        if (boolean) return Binary(where, column, cells, null, boolean: true, "true/false labels: binary classification");
        if (!numeric) return Classes(where, column, cells, null, "text labels: one class per distinct value");
        var distinct = numbers.Distinct().Order().ToArray();
        if (distinct.Length == 2 && distinct[0] == 0 && distinct[1] == 1)
            return Binary(where, column, cells, numbers, boolean: false, "0/1 labels: binary classification");
        if (numbers.Any(v => v != Math.Floor(v)))
            return new LabelColumn(column, LearningTask.Regression, numbers.Select(v => (float)v).ToArray(), null, "non-integer numbers: regression");
        if (distinct.Length > MaxIntegerCodes)
            return new LabelColumn(column, LearningTask.Regression, numbers.Select(v => (float)v).ToArray(), null,
                $"{distinct.Length} distinct integers: regression (pass --task multiclass to treat them as classes)");
        if (distinct.Length < 2) throw SingleValue(where, cells[0].Text);
        throw new InputError($"{where} holds {distinct.Length} integer codes ({Shorten(distinct.Select(Format))}): "
            + "pass --task multiclass to treat them as classes, or --task regression to treat them as amounts.");
    }

    private static LabelColumn Binary(string where, string column, IReadOnlyList<(long Line, string Text)> cells, double[]? numbers, bool boolean, string? note)
    {
        // The positive class: true, the larger number, or the later text value in ordinal order (said in the note).
        string[] classes;
        Func<int, bool> positive;
        if (boolean)
        {
            classes = ["false", "true"];
            positive = i => bool.Parse(cells[i].Text);
        }
        else if (numbers is not null)
        {
            var distinct = numbers.Distinct().Order().ToArray();
            if (distinct.Length != 2) throw TwoValuesNeeded(where, distinct.Length, distinct.Select(Format));
            classes = [Format(distinct[0]), Format(distinct[1])];
            positive = i => numbers[i] == distinct[1];
        }
        else
        {
            var distinct = cells.Select(c => c.Text).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            if (distinct.Length != 2) throw TwoValuesNeeded(where, distinct.Length, distinct);
            classes = distinct;
            positive = i => cells[i].Text == distinct[1];
            note = $"positive class '{distinct[1]}' (the later of '{distinct[0]}' and '{distinct[1]}' in ordinal order)";
        }
        var values = new float[cells.Count];
        for (int i = 0; i < values.Length; i++) values[i] = positive(i) ? 1f : 0f;
        if (values.All(v => v == values[0])) throw SingleValue(where, cells[0].Text);
        return new LabelColumn(column, LearningTask.Binary, values, classes, note);
    }

    private static LabelColumn Classes(string where, string column, IReadOnlyList<(long Line, string Text)> cells, double[]? numbers, string? note)
    {
        // Numbers are classes by value (so "1.0" and "1" are one class, ordered numerically); text by its exact spelling.
        string[] keys = numbers is not null ? numbers.Select(Format).ToArray() : cells.Select(c => c.Text).ToArray();
        string[] classes = numbers is not null
            ? numbers.Distinct().Order().Select(Format).ToArray()
            : keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (classes.Length < 2) throw SingleValue(where, cells[0].Text);
        if (classes.Length > MaxClasses)
            throw new InputError($"{where} has {classes.Length} distinct values, too many for classes (at most {MaxClasses}). "
                + (numbers is not null ? "Pass --task regression to treat them as amounts." : "Group them into fewer classes."));
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        return new LabelColumn(column, LearningTask.Multiclass, keys.Select(k => (float)index[k]).ToArray(), classes, note);
    }

    private static InputError TwoValuesNeeded(string where, int count, IEnumerable<string> values) =>
        new($"{where}: --task binary needs exactly two distinct values; found {count} ({Shorten(values)}). "
            + "Use --task multiclass for more classes.");

    private static InputError SingleValue(string where, string value) =>
        new($"{where} has one value only ('{value}'): a model needs at least two classes or values. Check the --label column.");

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Shorten(IEnumerable<string> values)
    {
        var list = values.ToList();
        return list.Count <= 8 ? string.Join(", ", list) : string.Join(", ", list.Take(8)) + ", ...";
    }
}
