using System.Globalization;

namespace Ml.Relaxation.Samples.Datasets;

/// <summary>
/// Turns CSV text into a <see cref="FeatureTable"/>: every column but the label is a numeric feature. A cell that is
/// not a number is an error naming its line, column and value; a missing cell (empty, or one of
/// <see cref="MissingMarkers"/>) is an error unless missing rows are skipped.
/// </summary>
internal static class TableReader
{
    /// <summary>Cell texts read as a missing value (case-insensitive), besides an empty cell.</summary>
    public static readonly string[] MissingMarkers = ["NA", "N/A", "NaN", "null", "?"];

    /// <summary>A table with a label column for <c>select</c>.</summary>
    /// <param name="csv">The file's text.</param>
    /// <param name="labelName">The label column (case-insensitive).</param>
    /// <param name="task">The task given with <c>--task</c>, or null to infer it from the label.</param>
    /// <param name="skipMissing">Leave out rows with a missing cell instead of stopping.</param>
    public static FeatureTable WithLabel(CsvText csv, string labelName, LearningTask? task, bool skipMissing)
    {
        int label = csv.IndexOf(labelName);
        if (label < 0)
            throw new InputError($"{csv.Source} has no label column '{labelName}' (columns: {ColumnList(csv.Header)}). Name the label column with --label.");
        if (csv.Header.Length < 2) throw new InputError($"{csv.Source} has only the label column; it needs at least one feature column.");
        var (rows, used, skipped) = ReadFeatures(csv, label, skipMissing);
        var labelCells = used.Select(r => (csv.Rows[r].Line, csv.Rows[r].Cells[label])).ToList();
        var labels = LabelInference.Infer(csv.Source, csv.Header[label], labelCells, task);
        return new FeatureTable { Source = csv.Source, FeatureNames = FeatureNames(csv, label), Rows = rows, Label = labels, RowsSkipped = skipped };
    }

    /// <summary>
    /// A table without a label for <c>vae</c>: a column named <paramref name="labelName"/> is left out when present
    /// (and must be present when <paramref name="labelRequired"/>). Values must lie in [0, 1] when <paramref name="unitRange"/>.
    /// </summary>
    public static FeatureTable WithoutLabel(CsvText csv, string labelName, bool labelRequired, bool skipMissing, bool unitRange)
    {
        int label = csv.IndexOf(labelName);
        if (label < 0 && labelRequired)
            throw new InputError($"{csv.Source} has no column '{labelName}' (columns: {ColumnList(csv.Header)}). Give --label only to leave a column out of the features.");
        if (label >= 0 && csv.Header.Length < 2) throw new InputError($"{csv.Source} has only the column '{labelName}', which is left out; it needs at least one feature column.");
        var (rows, used, skipped) = ReadFeatures(csv, label, skipMissing);
        string[] names = FeatureNames(csv, label);
        if (unitRange) CheckUnitRange(csv, rows, used, names);
        return new FeatureTable
        {
            Source = csv.Source, FeatureNames = names, Rows = rows, RowsSkipped = skipped, ColumnLeftOut = label >= 0 ? csv.Header[label] : null,
        };
    }

    /// <summary>Whether a cell holds no value.</summary>
    public static bool IsMissing(string cell) =>
        cell.Length == 0 || MissingMarkers.Any(m => string.Equals(cell, m, StringComparison.OrdinalIgnoreCase));

    private static (float[][] Rows, List<int> Used, int Skipped) ReadFeatures(CsvText csv, int label, bool skipMissing)
    {
        var rows = new List<float[]>(csv.Rows.Count);
        var used = new List<int>(csv.Rows.Count);
        int features = csv.Header.Length - (label >= 0 ? 1 : 0);
        (long Line, int Column, string Value)? firstMissing = null;
        int missingRows = 0;
        for (int r = 0; r < csv.Rows.Count; r++)
        {
            CsvRow row = csv.Rows[r];
            int missing = Array.FindIndex(row.Cells, IsMissing);
            if (missing >= 0)
            {
                firstMissing ??= (row.Line, missing, row.Cells[missing]);
                missingRows++;
                continue;
            }
            var values = new float[features];
            for (int c = 0, f = 0; c < row.Cells.Length; c++)
            {
                if (c == label) continue;
                values[f++] = ParseFeature(csv, row, c);
            }
            rows.Add(values);
            used.Add(r);
        }
        if (firstMissing is var (line, column, value) && !skipMissing)
        {
            string what = value.Length == 0 ? "is empty" : $"holds the missing-value marker '{value}'";
            throw new InputError($"{csv.Source} line {line}, column '{csv.Header[column]}' {what} ({missingRows} of {csv.Rows.Count} rows have a missing value). "
                + "Fill the missing values in, or pass --skip-missing to leave those rows out.");
        }
        if (rows.Count == 0) throw new InputError($"{csv.Source}: every row has a missing value, so --skip-missing leaves none.");
        return (rows.ToArray(), used, missingRows);
    }

    private static float ParseFeature(CsvText csv, CsvRow row, int column)
    {
        string cell = row.Cells[column];
        if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new InputError($"{csv.Source} line {row.Line}, column '{csv.Header[column]}': '{cell}' is not a number. "
                + "Feature columns must be numeric (with '.' as the decimal point): encode or remove the column.");
        float single = (float)value;
        if (!float.IsFinite(single))
            throw new InputError($"{csv.Source} line {row.Line}, column '{csv.Header[column]}': '{cell}' is not a finite single-precision number. Rescale the column.");
        return single;
    }

    private static void CheckUnitRange(CsvText csv, float[][] rows, List<int> used, string[] names)
    {
        for (int r = 0; r < rows.Length; r++)
        {
            int bad = Array.FindIndex(rows[r], v => v is < 0f or > 1f);
            if (bad < 0) continue;
            throw new InputError($"{csv.Source} line {csv.Rows[used[r]].Line}, column '{names[bad]}': {rows[r][bad].ToString(CultureInfo.InvariantCulture)} is outside [0, 1]. "
                + "The VAE models each value as a probability (a Bernoulli likelihood): scale the columns to [0, 1] first.");
        }
    }

    private static string[] FeatureNames(CsvText csv, int label) => csv.Header.Where((_, i) => i != label).ToArray();

    private static string ColumnList(string[] header) =>
        header.Length <= 12 ? string.Join(", ", header) : string.Join(", ", header.Take(12)) + $", ... ({header.Length} in all)";
}
