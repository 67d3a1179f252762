using Sylvan.Data.Csv;

namespace Ml.Relaxation.Samples.Datasets;

/// <summary>
/// A delimited text file read as text cells: the header and every non-blank row with its line number, so that later
/// checks can name the line, the column and the value. The separator (comma, semicolon, tab or pipe) is detected from
/// the header by Sylvan's reader, which also handles quoting.
/// </summary>
internal sealed class CsvText
{
    private CsvText(string source, string[] header, List<CsvRow> rows)
    {
        Source = source;
        Header = header;
        Rows = rows;
    }

    /// <summary>The file's name as messages show it.</summary>
    public string Source { get; }

    /// <summary>The column names, trimmed.</summary>
    public string[] Header { get; }

    /// <summary>The data rows (blank lines left out).</summary>
    public IReadOnlyList<CsvRow> Rows { get; }

    /// <summary>Reads a file; a missing or unreadable file is an <see cref="InputError"/>.</summary>
    /// <param name="path">The file's full path.</param>
    /// <param name="name">The file as the user gave it, for messages.</param>
    public static CsvText Read(string path, string name)
    {
        if (Directory.Exists(path)) throw new InputError($"--data '{name}' is a folder; give the path of a CSV file.");
        if (!File.Exists(path)) throw new InputError($"Data file '{name}' does not exist ({path}). Check the path given with --data.");
        try
        {
            using var reader = new StreamReader(path);
            return Read(reader, name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputError($"Data file '{name}' cannot be read: {e.Message}");
        }
    }

    /// <summary>Reads delimited text with a header row from <paramref name="reader"/>; <paramref name="source"/> names it in messages.</summary>
    public static CsvText Read(TextReader reader, string source)
    {
        if (reader.Peek() < 0) throw new InputError($"{source} is empty; expected a header row of column names, then one row per example.");
        var rows = new List<CsvRow>();
        string[] header;
        try
        {
            using var csv = CsvDataReader.Create(reader, new CsvDataReaderOptions { HasHeaders = true });
            header = Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetName(i).Trim()).ToArray();
            CheckHeader(header, source);
            while (csv.Read())
            {
                long line = csv.RowNumber + 1; // the header is line 1 (multi-line quoted cells shift this)
                int count = csv.RowFieldCount;
                if (count == 1 && csv.GetString(0).Trim().Length == 0 && header.Length > 1) continue; // a blank line
                if (count != header.Length)
                    throw new InputError($"{source} line {line} has {count} fields; the header has {header.Length}. Check the separators and quotes on that line.");
                var cells = new string[count];
                for (int i = 0; i < count; i++) cells[i] = csv.GetString(i).Trim();
                rows.Add(new CsvRow(line, cells));
            }
        }
        catch (Exception e) when (e is not InputError and (FormatException or InvalidDataException or IOException or ArgumentException))
        {
            throw new InputError($"{source} is not readable as CSV: {e.Message}");
        }
        if (rows.Count == 0) throw new InputError($"{source} has a header but no data rows.");
        return new CsvText(source, header, rows);
    }

    /// <summary>The index of the column named <paramref name="name"/> (case-insensitive), or -1.</summary>
    public int IndexOf(string name) => Array.FindIndex(Header, h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));

    private static void CheckHeader(string[] header, string source)
    {
        if (header.Length == 0 || header.All(h => h.Length == 0))
            throw new InputError($"{source} is empty; expected a header row of column names, then one row per example.");
        int unnamed = Array.FindIndex(header, h => h.Length == 0);
        if (unnamed >= 0)
            throw new InputError($"{source}: column {unnamed + 1} has no name in the header (a saved row index?). Name it, or remove the column.");
        var duplicate = header.GroupBy(h => h, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InputError($"{source}: the header names column '{duplicate.Key}' more than once. Give every column its own name.");
    }
}

/// <summary>One data row: its line in the file and its cells (trimmed).</summary>
internal readonly record struct CsvRow(long Line, string[] Cells);
