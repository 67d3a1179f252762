using Spectre.Console;

namespace Ml.Relaxation.Samples;

/// <summary>
/// The samples' command-line tool. With no arguments it runs the main job on the data it embeds: <c>select</c> (Hard
/// Concrete gates keep 5 of the 30 breast-cancer features) then <c>vae</c> (a discrete-latent VAE on 2,000 digits).
/// <c>--help</c> lists the commands and options; see also the README.
/// </summary>
public static class Program
{
    /// <summary>Entry point; returns the exit code (0 success, 1 data or argument error, 2 usage, 130 cancelled).</summary>
    public static int Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true; // let the job stop between mini-batches and say so
            cancel.Cancel();
        };
        var app = new SamplesApp(Console.Out, Console.Error, Environment.CurrentDirectory, IsInteractive, () => DateTime.Now, cancel.Token);
        return app.Run(args);
    }

    // Progress bars only on a terminal that Spectre.Console finds interactive (not redirected, not CI).
    private static bool IsInteractive(bool json)
    {
        bool redirected = json ? Console.IsErrorRedirected : Console.IsOutputRedirected;
        if (redirected) return false;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(json ? Console.Error : Console.Out) });
        return console.Profile.Capabilities.Interactive;
    }
}
