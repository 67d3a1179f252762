using System.CommandLine;
using Microsoft.ML.Data;
using Ml.Relaxation.Samples.CommandLine;
using Ml.Relaxation.Samples.Datasets;
using Ml.Relaxation.Samples.Output;
using Ml.Relaxation.Samples.Selection;
using Ml.Relaxation.Samples.Vae;

namespace Ml.Relaxation.Samples;

/// <summary>
/// The command-line tool: parses the arguments (System.CommandLine: help, per-command help, typed and range-checked
/// options, allowed values, unknown options), runs the job into its run folder and maps every failure to an exit
/// code with one line on standard error. Takes its streams, working directory and clock as arguments, so tests run it
/// in process.
/// </summary>
internal sealed class SamplesApp
{
    private readonly TextWriter _stdout, _stderr;
    private readonly string _workingDirectory;
    private readonly Func<bool, bool> _interactive;
    private readonly Func<DateTime> _now;
    private readonly CancellationToken _cancel;

    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <param name="workingDirectory">Where relative paths and the default run folders are.</param>
    /// <param name="interactive">Whether progress bars may be drawn, given whether <c>--json</c> moved messages to standard error.</param>
    /// <param name="now">The clock that names run folders.</param>
    /// <param name="cancel">Cancels a running job (Ctrl+C).</param>
    public SamplesApp(TextWriter stdout, TextWriter stderr, string workingDirectory, Func<bool, bool> interactive, Func<DateTime> now, CancellationToken cancel)
    {
        _stdout = stdout;
        _stderr = stderr;
        _workingDirectory = workingDirectory;
        _interactive = interactive;
        _now = now;
        _cancel = cancel;
    }

    /// <summary>Runs the tool with <paramref name="args"/> and returns its exit code (see <see cref="ExitCodes"/>).</summary>
    public int Run(string[] args)
    {
        var select = new SelectCommand();
        var vae = new VaeCommand();
        var common = new CommonOptions();
        var epochs = SampleOptions.Epochs($"{SelectJob.DefaultEpochs} for select, {VaeJob.DefaultEpochs} for vae");
        var root = new RootCommand(
            "Ml.Relaxation samples. With no command: the main job, select on the embedded breast-cancer data then vae on the embedded digits.")
        {
            select,
            vae,
        };
        root.Options.Add(epochs);
        common.AddTo(root);
        select.SetAction(parse => RunJob("select", select.Common.Read(parse), () => select.Request(parse, _workingDirectory), SelectJob.Run));
        vae.SetAction(parse => RunJob("vae", vae.Common.Read(parse), () => vae.Request(parse, _workingDirectory), VaeJob.Run));
        root.SetAction(parse => RunMain(common.Read(parse), parse.GetValue(epochs), parse.GetValue(common.Seed)));

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) _stderr.WriteLine($"error: {error.Message}");
            string command = parsed.CommandResult.Command == root ? "" : parsed.CommandResult.Command.Name + " ";
            _stderr.WriteLine($"See '{root.Name} {command}--help' for the options.");
            return ExitCodes.Usage;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = _stdout, Error = _stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    private int RunJob<TRequest, TSummary>(string job, JobSettings settings, Func<TRequest> request,
        Func<TRequest, RunFolder, RunConsole, int, CancellationToken, TSummary> run)
    {
        var console = new RunConsole(_stdout, _stderr, settings.Json, _interactive(settings.Json));
        using var threads = ThreadLimit.Apply(settings.Threads);
        TRequest input = request(); // reads and checks the data before a folder is made
        RunFolder folder = RunFolder.Claim(settings.Output, _workingDirectory, job, _now());
        return Finish(folder, console, settings.Json, () => run(input, folder, console, threads.Threads, _cancel));
    }

    private int RunMain(JobSettings settings, int? epochs, int seed)
    {
        var console = new RunConsole(_stdout, _stderr, settings.Json, _interactive(settings.Json));
        using var threads = ThreadLimit.Apply(settings.Threads);
        var selectRequest = new SelectRequest(EmbeddedDatasets.Labeled("breast-cancer"), K: 5, Lambda: null, epochs ?? SelectJob.DefaultEpochs, seed, SkipMissing: false);
        var vaeRequest = new VaeRequest(EmbeddedDatasets.Digits(binarize: true).WithoutLabel(), VaeJob.DefaultLatents, VaeJob.DefaultCategories, Hard: false,
            epochs ?? VaeJob.DefaultEpochs, seed, SkipMissing: false);
        RunFolder folder = RunFolder.Claim(settings.Output, _workingDirectory, "main", _now());
        return Finish(folder, console, settings.Json, () =>
        {
            RunFolder selectFolder = folder.Sub("select"), vaeFolder = folder.Sub("vae");
            var selected = SelectJob.Run(selectRequest, selectFolder, console, threads.Threads, _cancel);
            File.WriteAllText(selectFolder.File("summary.json"), SummaryJson.Serialize(selected));
            console.Line("");
            var encoded = VaeJob.Run(vaeRequest, vaeFolder, console, threads.Threads, _cancel);
            File.WriteAllText(vaeFolder.File("summary.json"), SummaryJson.Serialize(encoded));
            return new MainSummary("main", selected, encoded);
        });
    }

    // Runs a job in its folder: writes summary.json (and prints it with --json) on success, run.log in any case.
    private int Finish<TSummary>(RunFolder folder, RunConsole console, bool json, Func<TSummary> run)
    {
        try
        {
            TSummary summary = run();
            string text = SummaryJson.Serialize(summary);
            File.WriteAllText(folder.File("summary.json"), text);
            if (json) console.WriteJson(text);
            return ExitCodes.Success;
        }
        catch (Exception e)
        {
            console.Record(e is OperationCanceledException ? "cancelled." : $"error: {Message(e)}");
            if (e is not (InputError or OperationCanceledException)) console.Record(e.ToString()); // the details stay in run.log
            throw;
        }
        finally
        {
            File.WriteAllText(folder.LogPath, console.LogText);
        }
    }

    private int Fail(Exception e)
    {
        switch (e)
        {
            case OperationCanceledException when _cancel.IsCancellationRequested:
                _stderr.WriteLine("cancelled.");
                return ExitCodes.Cancelled;
            case InputError:
                _stderr.WriteLine($"error: {e.Message}");
                return ExitCodes.DataError;
            default:
                // A failure the tool did not foresee (the library's checks of the data included): one line, no stack trace.
                _stderr.WriteLine($"error: {Message(e)}");
                return ExitCodes.DataError;
        }
    }

    private static string Message(Exception e) =>
        e is InputError ? e.Message : $"{e.Message.ReplaceLineEndings(" ")} ({e.GetType().Name}; details in run.log when the run folder was made)";
}

/// <summary>The main job's summary: both jobs' summaries.</summary>
internal sealed record MainSummary(string Command, SelectSummary Select, VaeSummary Vae);
