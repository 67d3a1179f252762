using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Relaxation.Benchmarks.FeatureSelection;

/// <summary>The breast cancer copy of the test project (linked into this project's output), as an <see cref="IDataView"/>.</summary>
internal static class BreastCancerData
{
    public sealed class Row
    {
        [VectorType(30)] public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    /// <summary>
    /// The same 80% of rows the PyTorch peer trains on: numpy's default_rng(0) permutation is not reproducible here,
    /// so this takes the first 80% of the file; for timing, only the row count and shapes matter.
    /// </summary>
    public static IDataView TrainingRows(MLContext ml)
    {
        string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", "breast_cancer.csv"));
        var rows = lines.Skip(1).Select(line =>
        {
            float[] v = [.. line.Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture))];
            return new Row { Features = v[..^1], Label = v[^1] == 1f };
        }).ToArray();
        return ml.Data.LoadFromEnumerable(rows.Take((int)(rows.Length * 0.8)).ToArray());
    }
}
