using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Relaxation.Samples;

/// <summary>
/// Loads a comma-separated file with a header row: every column except the label becomes one slot of the
/// <c>Features</c> vector (the header supplies the slot names), the label column becomes <c>Label</c>.
/// </summary>
internal static class CsvData
{
    public static IDataView Load(MLContext ml, string path, string labelColumn, DataKind labelKind)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        string[] header = (File.ReadLines(path).FirstOrDefault() ?? throw new InvalidDataException($"'{path}' is empty."))
            .Split(',').Select(h => h.Trim()).ToArray();
        int label = Array.FindIndex(header, h => string.Equals(h, labelColumn, StringComparison.OrdinalIgnoreCase));
        if (label < 0) throw new ArgumentException($"Label column '{labelColumn}' is not in the header of '{path}' ({string.Join(", ", header)}).");
        var ranges = new[] { (Min: 0, Max: label - 1), (Min: label + 1, Max: header.Length - 1) }
            .Where(r => r.Min <= r.Max).Select(r => new TextLoader.Range(r.Min, r.Max)).ToArray();
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = [new TextLoader.Column("Features", DataKind.Single, ranges), new TextLoader.Column("Label", labelKind, label)],
            HasHeader = true,
            Separators = [','],
        }, dataSample: new MultiFileSource(path)); // With a data sample the loader takes slot names from the header.
        return loader.Load(path);
    }
}
