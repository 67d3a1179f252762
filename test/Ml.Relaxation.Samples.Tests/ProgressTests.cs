using System.Text.RegularExpressions;
using Ml.Relaxation.Samples.Output;

namespace Ml.Relaxation.Samples.Tests;

/// <summary>The two ways training shows progress: a Spectre.Console bar on a terminal, plain lines otherwise.</summary>
public sealed partial class ProgressTests
{
    private const string Metrics = "final fit: loss 0.1234  validation 0.5678  gates open 5";

    // Three steps of a fake training run, each reporting the metrics; a pause lets the bar's refresh draw a frame.
    private static string Train(RunConsole console, int pauseMs) =>
        console.Train("gated selector", 3, progress =>
        {
            for (int step = 1; step <= 3; step++)
            {
                Thread.Sleep(pauseMs);
                progress.Report(step, Metrics);
            }
            return "trained";
        }, unit: "step");

    [Fact]
    public void A_terminal_gets_a_bar_row_that_fits_80_columns_with_the_metrics_on_their_own_line()
    {
        var output = new StringWriter();
        var console = new RunConsole(output, TextWriter.Null, json: false, interactive: true, terminalWidth: 80);
        Assert.Equal("trained", Train(console, pauseMs: 150));

        string[] lines = [.. Lines(output.ToString())];
        // The bar's row: title and count, the bar, the percentage and the time left, on one line of the terminal.
        Assert.Contains(lines, l => BarRow().IsMatch(l));
        Assert.All(lines.Where(l => l.Contains('━')), l => Assert.True(l.Length <= 80, $"'{l}' is wider than 80 columns"));
        Assert.Contains("  " + Metrics, lines);
        // The bar is cleared when done; its final state stays as a plain line, which is all the log keeps.
        Assert.Matches(@"^gated selector: step 3/3  final fit: loss 0\.1234  validation 0\.5678  gates open 5  done in \d+\.\d s$", lines[^1]);
        Assert.Equal(lines[^1], console.LogText.TrimEnd());
    }

    [Fact]
    public void Redirected_output_gets_plain_lines_and_no_escape_codes()
    {
        var output = new StringWriter();
        var console = new RunConsole(output, TextWriter.Null, json: false, interactive: false);
        Train(console, pauseMs: 0);

        string text = output.ToString();
        Assert.False(text.Contains('\u001b'), "an escape code"); // ordinal: culture-aware search ignores control characters
        Assert.False(text.Contains('━'), "a bar");
        string[] lines = text.TrimEnd().Split(Environment.NewLine);
        Assert.Equal(3, lines.Length); // every step of three (one in ten of a longer run, and the first and last)
        Assert.Equal($"gated selector: step 1/3  {Metrics}  eta -", lines[0]);
        Assert.StartsWith($"gated selector: step 3/3  {Metrics}  done in ", lines[2]);
        Assert.Equal(text, console.LogText);
    }

    // The terminal's lines as a user sees them: escape codes removed, split at carriage returns and newlines.
    private static IEnumerable<string> Lines(string ansi) =>
        AnsiEscape().Replace(ansi, "").Split('\r', '\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0);

    [GeneratedRegex(@"\u001b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex AnsiEscape();

    [GeneratedRegex(@"^gated selector [123]/3 ━+ +\d+% \d\d:\d\d:\d\d$")]
    private static partial Regex BarRow();
}
