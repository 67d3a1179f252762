namespace Ml.Relaxation.Samples.Tests;

/// <summary>The built tool as a real process: exit codes, streams and no stack traces, as a user or a script sees them.</summary>
public sealed class ProcessTests : IDisposable
{
    private readonly SamplesTool _tool = new();

    public void Dispose() => _tool.Dispose();

    [Fact]
    public void Help_exits_0_and_an_unknown_option_exits_2_with_one_message()
    {
        var help = _tool.RunProcess("--help");
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("select", help.Stdout);

        var unknown = _tool.RunProcess("select", "--kk", "3");
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Equal("", unknown.Stdout);
        Assert.Contains("'--kk'", unknown.Stderr);
        Assert.DoesNotContain("   at ", unknown.Stderr);
    }

    [Fact]
    public void A_data_error_exits_1_with_one_line_and_json_output_is_one_document()
    {
        _tool.Write("animals.csv", CsvFiles.Animals());
        var bad = _tool.RunProcess("select", "--data", "animals.csv", "--task", "regression", "--json");
        Assert.True(bad.ExitCode == 1, bad.ToString());
        Assert.Equal("", bad.Stdout);
        Assert.Single(bad.Stderr.TrimEnd().Split('\n'));
        Assert.Contains("'cat'", bad.Stderr);

        // As a process, standard output is the real one: nothing else (native LightGBM included) may write to it.
        var json = _tool.RunProcess("select", "--data", "animals.csv", "--epochs", "2", "--k", "1", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Equal("LightGBM", json.Json().GetProperty("metrics").GetProperty("downstreamModel").GetString());
        Assert.Matches(@"gated selector: step (\d+)/\1  final fit", json.Stderr);
    }
}
