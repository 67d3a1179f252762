using System.Diagnostics;
using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Ml.Relaxation.Samples.Output;

/// <summary>
/// Where a run's messages go. Human-readable lines go to standard output, or to standard error with <c>--json</c>
/// (standard output then carries the JSON document alone). Training shows a Spectre.Console progress bar on an
/// interactive terminal and plain lines otherwise (redirected output, CI, tests), so logs stay readable. Every line
/// is also kept for the run folder's <c>run.log</c>.
/// </summary>
internal sealed class RunConsole
{
    private readonly TextWriter _stdout;
    private readonly bool _interactive;
    private readonly int? _terminalWidth;
    private readonly StringBuilder _log = new();
    private readonly object _gate = new();

    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <param name="json">Whether standard output is reserved for the JSON summary.</param>
    /// <param name="interactive">Whether the human-readable stream is an interactive terminal (progress bars).</param>
    /// <param name="terminalWidth">For tests: draw progress bars with ANSI codes for a terminal this wide, whatever the
    /// stream is; null (the tool) lets Spectre.Console detect the terminal.</param>
    public RunConsole(TextWriter stdout, TextWriter stderr, bool json, bool interactive, int? terminalWidth = null)
    {
        _stdout = stdout;
        Human = json ? stderr : stdout;
        _interactive = interactive;
        _terminalWidth = terminalWidth;
    }

    /// <summary>The stream for human-readable lines.</summary>
    public TextWriter Human { get; }

    /// <summary>Everything written so far, for <c>run.log</c>.</summary>
    public string LogText
    {
        get { lock (_gate) return _log.ToString(); }
    }

    /// <summary>Writes a human-readable line.</summary>
    public void Line(string text)
    {
        lock (_gate)
        {
            Human.WriteLine(text);
            _log.AppendLine(text);
        }
    }

    /// <summary>Adds a line to the log only (for <c>run.log</c>), not to the console.</summary>
    public void Record(string text)
    {
        lock (_gate) _log.AppendLine(text);
    }

    /// <summary>Writes a warning line.</summary>
    public void Warning(string text) => Line("warning: " + text);

    /// <summary>Writes the JSON summary to standard output.</summary>
    public void WriteJson(string json) => _stdout.WriteLine(json);

    /// <summary>
    /// Runs <paramref name="train"/> with a progress display for <paramref name="epochs"/> epochs: the body reports
    /// each finished epoch to the <see cref="EpochProgress"/> it is given.
    /// </summary>
    public T Train<T>(string title, int epochs, Func<EpochProgress, T> train, string unit = "epoch")
    {
        if (!_interactive)
        {
            var plain = new EpochProgress(title, epochs, line => Line(line), showEvery: Math.Max(1, epochs / 10)) { Unit = unit };
            return train(plain);
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Human),
            Interactive = InteractionSupport.Yes, // the caller found the terminal interactive
            Ansi = _terminalWidth is null ? AnsiSupport.Detect : AnsiSupport.Yes,
        });
        if (_terminalWidth is { } width) console.Profile.Width = width;
        T result = default!;
        EpochProgress? progress = null;
        string metrics = ""; // the latest step's metrics, drawn on a line of their own under the bar
        // The bar's row holds the title and count only, so that it and the time left fit an 80-column terminal; the
        // metrics (up to ~60 characters) would squeeze the bar and wrap the time left into a column.
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .UseRenderHook((bar, _) => new Rows(bar, new Text("  " + Volatile.Read(ref metrics))))
            .Start(context =>
            {
                ProgressTask task = context.AddTask(Markup.Escape(title), maxValue: epochs);
                progress = new EpochProgress(title, epochs, _ => { }, showEvery: int.MaxValue, (done, text) =>
                {
                    Volatile.Write(ref metrics, text);
                    task.Description = Markup.Escape(FormattableString.Invariant($"{title} {done}/{epochs}"));
                    task.Value = done;
                }) { Unit = unit };
                result = train(progress);
                task.Value = epochs;
            });
        Line(progress!.LastLine); // the bar is cleared when done: its final state stays as a line
        return result;
    }
}

/// <summary>
/// Receives each finished epoch of a training run and shows it: as a line every <c>showEvery</c> epochs (and the
/// first and last), or as a progress bar's metrics. Times the run to estimate the time left.
/// </summary>
internal sealed class EpochProgress
{
    private readonly string _title;
    private readonly int _epochs;
    private readonly Action<string> _line;
    private readonly int _showEvery;
    private readonly Action<int, string>? _bar;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _firstEpochEnd;

    public EpochProgress(string title, int epochs, Action<string> line, int showEvery, Action<int, string>? bar = null)
    {
        _title = title;
        _epochs = epochs;
        _line = line;
        _showEvery = showEvery;
        _bar = bar;
        LastLine = $"{title}: starting";
    }

    /// <summary>What one reported step is (shown before the count). Default "epoch".</summary>
    public string Unit { get; init; } = "epoch";

    /// <summary>The latest epoch's line.</summary>
    public string LastLine { get; private set; }

    /// <summary>Reports epoch <paramref name="epoch"/> (1-based) with its metrics already formatted.</summary>
    public void Report(int epoch, string metrics)
    {
        // The first epoch also pays for setup (a pass over the data, JIT), so the time left is estimated from the later ones.
        double elapsed = _clock.Elapsed.TotalSeconds;
        if (epoch == 1) _firstEpochEnd = elapsed;
        string eta = epoch >= _epochs ? FormattableString.Invariant($"done in {elapsed:F1} s")
            : epoch == 1 ? "eta -"
            : FormattableString.Invariant($"eta {(elapsed - _firstEpochEnd) / (epoch - 1) * (_epochs - epoch):F0} s");
        LastLine = string.Create(CultureInfo.InvariantCulture, $"{_title}: {Unit} {epoch.ToString().PadLeft(_epochs.ToString().Length)}/{_epochs}  {metrics}  {eta}");
        _bar?.Invoke(epoch, metrics);
        if (epoch == 1 || epoch == _epochs || epoch % _showEvery == 0) _line(LastLine);
    }
}
