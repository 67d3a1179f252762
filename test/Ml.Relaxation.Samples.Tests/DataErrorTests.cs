namespace Ml.Relaxation.Samples.Tests;

/// <summary>Data and argument errors: exit 1, one line on standard error that names what to change, no run folder.</summary>
public sealed class DataErrorTests : IDisposable
{
    private readonly SamplesTool _tool = new();

    public void Dispose() => _tool.Dispose();

    private ToolResult Fails(params string[] args)
    {
        var result = _tool.Run(args);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Single(result.Stderr.TrimEnd().Split('\n')); // one line, no stack trace
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Empty(_tool.RunFolders()); // data is checked before a folder is made
        return result;
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        Assert.Contains("'missing.csv' does not exist", Fails("select", "--data", "missing.csv").Stderr);
        Assert.Contains("'missing.csv' does not exist", Fails("vae", "--data", "missing.csv").Stderr);
    }

    [Fact]
    public void An_empty_field_names_its_line_and_column_and_points_at_skip_missing()
    {
        _tool.Write("gaps.csv", "a,b,Label\n1,2,0\n2,,1\n3,4,0\n4,NA,1\n");
        string message = Fails("select", "--data", "gaps.csv").Stderr;
        Assert.Contains("gaps.csv line 3, column 'b' is empty", message);
        Assert.Contains("2 of 4 rows have a missing value", message);
        Assert.Contains("--skip-missing", message);
    }

    [Fact]
    public void A_cell_that_is_not_a_number_names_its_line_column_and_value()
    {
        _tool.Write("bad.csv", "a,b,Label\n1,2,0\n2,3,1\n3,x7,0\n");
        Assert.Contains("bad.csv line 4, column 'b': 'x7' is not a number", Fails("select", "--data", "bad.csv").Stderr);
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_fields_is_named()
    {
        _tool.Write("short.csv", "a,b,Label\n1,2,0\n2,1\n");
        Assert.Contains("short.csv line 3 has 2 fields; the header has 3", Fails("select", "--data", "short.csv").Stderr);
    }

    [Fact]
    public void A_missing_label_column_lists_the_columns_and_points_at_label()
    {
        _tool.Write("y.csv", "a,b,y\n1,2,0\n2,3,1\n");
        string message = Fails("select", "--data", "y.csv").Stderr;
        Assert.Contains("no label column 'Label' (columns: a, b, y)", message);
        Assert.Contains("--label", message);
    }

    [Fact]
    public void Integer_codes_ask_for_task()
    {
        _tool.Write("codes.csv", CsvFiles.Labeled(12, i => (i % 3).ToString(), i => i % 3));
        string message = Fails("select", "--data", "codes.csv").Stderr;
        Assert.Contains("3 integer codes (0, 1, 2)", message);
        Assert.Contains("--task multiclass", message);
        Assert.Contains("--task regression", message);
    }

    [Fact]
    public void Text_labels_with_task_regression_name_the_first_text_value()
    {
        _tool.Write("animals.csv", CsvFiles.Animals());
        Assert.Contains("--task regression needs numbers; line 2 has 'cat'", Fails("select", "--data", "animals.csv", "--task", "regression").Stderr);
    }

    [Fact]
    public void K_above_the_feature_count_says_the_range()
    {
        _tool.Write("animals.csv", CsvFiles.Animals());
        Assert.Contains("--k 3 is more than the 2 features of animals.csv; choose --k from 1 to 2", Fails("select", "--data", "animals.csv", "--k", "3").Stderr);
    }

    [Fact]
    public void Vae_values_outside_the_unit_interval_are_named()
    {
        _tool.Write("wide.csv", "p0,p1\n0,1\n0.5,2\n");
        Assert.Contains("wide.csv line 3, column 'p1': 2 is outside [0, 1]", Fails("vae", "--data", "wide.csv").Stderr);
    }

    [Fact]
    public void Vae_label_that_is_not_in_the_file_is_named()
    {
        _tool.Write("values.csv", CsvFiles.UnitValues());
        Assert.Contains("no column 'digit'", Fails("vae", "--data", "values.csv", "--label", "digit").Stderr);
    }

    [Fact]
    public void An_output_folder_that_holds_files_is_refused_and_left_alone()
    {
        _tool.Write("animals.csv", CsvFiles.Animals());
        string taken = Path.Combine(_tool.Directory, "taken");
        Directory.CreateDirectory(taken);
        File.WriteAllText(Path.Combine(taken, "keep.txt"), "mine");
        var result = _tool.Run("select", "--data", "animals.csv", "--output", "taken");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--output folder 'taken' is not empty", result.Stderr);
        Assert.Equal(["keep.txt"], Directory.GetFiles(taken).Select(Path.GetFileName));
    }
}
