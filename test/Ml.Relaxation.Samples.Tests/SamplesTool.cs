using System.Diagnostics;
using System.Text.Json;

namespace Ml.Relaxation.Samples.Tests;

/// <summary>What one run of the tool printed and returned.</summary>
internal sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Standard output parsed as one JSON document (throws when it is not exactly that).</summary>
    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Stdout);
        return document.RootElement.Clone();
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the samples tool end to end in a fresh temporary working directory: in process (fast: the same code path as
/// <c>Main</c>, with the streams captured and progress bars off) or as a real <c>dotnet</c> process.
/// </summary>
internal sealed class SamplesTool : IDisposable
{
    public SamplesTool()
    {
        // directly in the temp folder (no shared parent), so nothing is left once Dispose deletes it
        Directory = Path.Combine(Path.GetTempPath(), "ml-relaxation-samples-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The working directory of every run.</summary>
    public string Directory { get; }

    /// <summary>The clock that names run folders (fixed, to make concurrent runs race for one name).</summary>
    public Func<DateTime> Now { get; init; } = () => DateTime.Now;

    /// <summary>Writes a file into the working directory and returns its name.</summary>
    public string Write(string name, string text)
    {
        File.WriteAllText(Path.Combine(Directory, name), text);
        return name;
    }

    /// <summary>The run folders made so far under the default parent.</summary>
    public string[] RunFolders()
    {
        string parent = Path.Combine(Directory, "relaxation-runs");
        return System.IO.Directory.Exists(parent) ? [.. System.IO.Directory.GetDirectories(parent).Order()] : [];
    }

    /// <summary>Cancels runs, as Ctrl+C does.</summary>
    public CancellationToken Cancel { get; init; }

    public ToolResult Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = new SamplesApp(stdout, stderr, Directory, _ => false, Now, Cancel).Run(args);
        return new ToolResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs the built tool as its own process (<c>dotnet Ml.Relaxation.Samples.dll ...</c>) with redirected output.</summary>
    public ToolResult RunProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(typeof(SamplesApp).Assembly.Location);
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(120_000)) process.Kill(entireProcessTree: true);
        return new ToolResult(process.ExitCode, stdout, stderr.Result);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder left behind is harmless
        }
    }
}
