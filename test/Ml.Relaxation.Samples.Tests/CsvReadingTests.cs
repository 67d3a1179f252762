using Ml.Relaxation.Samples.Datasets;

namespace Ml.Relaxation.Samples.Tests;

/// <summary>Reading CSV text into a feature table: separators, quoting, blank lines, headers, missing values.</summary>
public sealed class CsvReadingTests
{
    private static CsvText Csv(string text) => CsvText.Read(new StringReader(text), "t.csv");

    [Fact]
    public void Semicolons_quotes_and_blank_lines_are_read()
    {
        var csv = Csv("x;\"y, quoted\";Label\n1;2;a\n\n3;\"4\";b\n");
        Assert.Equal(["x", "y, quoted", "Label"], csv.Header);
        Assert.Equal([2L, 4L], csv.Rows.Select(r => r.Line));
        var table = TableReader.WithLabel(csv, "label", null, skipMissing: false); // the label name is case-insensitive
        Assert.Equal(["x", "y, quoted"], table.FeatureNames);
        Assert.Equal([3f, 4f], table.Rows[1]);
    }

    [Fact]
    public void Header_problems_are_named()
    {
        Assert.Contains("column 1 has no name", Assert.Throws<InputError>(() => Csv(",a,Label\n0,1,2\n")).Message);
        Assert.Contains("names column 'a' more than once", Assert.Throws<InputError>(() => Csv("a,A,Label\n0,1,2\n")).Message);
        Assert.Contains("no data rows", Assert.Throws<InputError>(() => Csv("a,Label\n")).Message);
        Assert.Contains("is empty", Assert.Throws<InputError>(() => Csv("")).Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("NA")]
    [InlineData("nan")]
    [InlineData("?")]
    public void Missing_markers_are_missing_and_skipped_rows_are_counted(string marker)
    {
        var csv = Csv($"a,b,Label\n1,2,0\n2,{marker},1\n3,4,{marker}\n5,6,1\n");
        Assert.Contains("line 3, column 'b'", Assert.Throws<InputError>(() => TableReader.WithLabel(csv, "Label", null, skipMissing: false)).Message);
        var table = TableReader.WithLabel(csv, "Label", null, skipMissing: true);
        Assert.Equal(2, table.RowsSkipped);
        Assert.Equal([[1f, 2f], [5f, 6f]], table.Rows);
        Assert.Equal([0f, 1f], table.Label!.Values);
    }

    [Fact]
    public void Vae_tables_leave_a_label_column_out_only_when_present()
    {
        var withLabel = TableReader.WithoutLabel(Csv("a,Label\n0,1\n1,0\n"), "Label", labelRequired: false, skipMissing: false, unitRange: true);
        Assert.Equal(["a"], withLabel.FeatureNames);
        Assert.Equal("Label", withLabel.ColumnLeftOut);
        var without = TableReader.WithoutLabel(Csv("a,b\n0,1\n1,0\n"), "Label", labelRequired: false, skipMissing: false, unitRange: true);
        Assert.Equal(["a", "b"], without.FeatureNames);
        Assert.Null(without.ColumnLeftOut);
        Assert.Null(without.ImageSide); // two values are not a square image; four are
        Assert.Equal(2, TableReader.WithoutLabel(Csv("a,b,c,d\n0,1,0,1\n"), "Label", false, false, true).ImageSide);
    }

    [Fact]
    public void Numbers_beyond_single_precision_are_refused()
    {
        var e = Assert.Throws<InputError>(() => TableReader.WithLabel(Csv("a,Label\n1e39,0\n1,1\n"), "Label", null, skipMissing: false));
        Assert.Contains("line 2, column 'a': '1e39' is not a finite single-precision number", e.Message);
    }
}
