namespace Ml.Relaxation.Samples.Datasets;

/// <summary>
/// Splits a table's rows into training and held-out test rows with a seeded shuffle. Classification labels are split
/// class by class (stratified), so every class with at least two rows reaches both parts and small test sets still
/// measure every class.
/// </summary>
internal static class HoldOut
{
    /// <summary>Returns the training and test row indices, each in ascending order.</summary>
    /// <param name="table">The rows (its label, if any, sets the strata).</param>
    /// <param name="testFraction">The share of each stratum held out, in (0, 1).</param>
    /// <param name="seed">The shuffle's seed.</param>
    public static (int[] Train, int[] Test) Split(FeatureTable table, double testFraction, int seed)
    {
        var random = new Random(seed);
        var strata = table.Label is { Task: not LearningTask.Regression } label
            ? Enumerable.Range(0, table.Rows.Length).GroupBy(i => label.Values[i]).OrderBy(g => g.Key).Select(g => g.ToArray())
            : [Enumerable.Range(0, table.Rows.Length).ToArray()];
        var train = new List<int>();
        var test = new List<int>();
        foreach (int[] rows in strata)
        {
            random.Shuffle(rows);
            int held = (int)Math.Round(rows.Length * testFraction);
            if (rows.Length >= 2) held = Math.Clamp(held, 1, rows.Length - 1);
            test.AddRange(rows.Take(held));
            train.AddRange(rows.Skip(held));
        }
        if (train.Count == 0 || test.Count == 0)
            throw new InputError($"{table.Source} has {table.Rows.Length} usable rows: too few to hold some out for testing. Give it more rows.");
        return ([.. train.Order()], [.. test.Order()]);
    }
}
