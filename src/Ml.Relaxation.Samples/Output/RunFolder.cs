using System.Globalization;
using Ml.Relaxation.Samples.Datasets;

namespace Ml.Relaxation.Samples.Output;

/// <summary>
/// The folder a run writes into: the model, the ONNX graph, the plots, <c>summary.json</c> and <c>run.log</c>. By
/// default a new folder per run under <c>relaxation-runs/</c> in the working directory, named after the job and the
/// time (<c>select-20260105-142233</c>, then <c>-2</c>, <c>-3</c> ... when taken). A run claims its folder by creating
/// <c>run.log</c> there with create-new semantics, which only one process can do, so concurrent runs never share one.
/// </summary>
internal sealed class RunFolder
{
    /// <summary>The default parent folder, under the working directory.</summary>
    public const string DefaultParent = "relaxation-runs";

    /// <summary>The log file whose creation claims the folder.</summary>
    public const string LogFile = "run.log";

    private RunFolder(string path, string? logPath = null)
    {
        Path = path;
        LogPath = logPath ?? System.IO.Path.Combine(path, LogFile);
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>The run's log: <c>run.log</c> here, or in the parent folder for a subfolder.</summary>
    public string LogPath { get; }

    /// <summary>The full path of <paramref name="name"/> in this folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>A subfolder (for the main job's two parts), created now; this run already owns it through its parent.</summary>
    public RunFolder Sub(string name)
    {
        var sub = new RunFolder(System.IO.Path.Combine(Path, name), LogPath);
        Directory.CreateDirectory(sub.Path);
        return sub;
    }

    /// <summary>
    /// Claims the folder for a run: <paramref name="output"/> when given (it must be new or empty, so nothing is
    /// overwritten), otherwise a new folder under <see cref="DefaultParent"/> in <paramref name="workingDirectory"/>.
    /// </summary>
    public static RunFolder Claim(string? output, string workingDirectory, string job, DateTime now)
    {
        if (output is not null)
        {
            string path = System.IO.Path.GetFullPath(output, workingDirectory);
            if (System.IO.File.Exists(path)) throw new InputError($"--output '{output}' is a file; give a folder (new or empty).");
            if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
                throw new InputError($"--output folder '{output}' is not empty; give a new or empty folder (nothing was overwritten).");
            return TryClaim(path) ?? throw new InputError($"--output folder '{output}' was taken by another run; give another folder.");
        }
        string parent = System.IO.Path.Combine(workingDirectory, DefaultParent);
        string stem = $"{job}-{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
        for (int n = 1; ; n++)
        {
            string path = System.IO.Path.Combine(parent, n == 1 ? stem : $"{stem}-{n}");
            if (Directory.Exists(path)) continue;
            if (TryClaim(path) is { } folder) return folder;
        }
    }

    private static RunFolder? TryClaim(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            using var claim = new FileStream(System.IO.Path.Combine(path, LogFile), FileMode.CreateNew, FileAccess.Write);
            return new RunFolder(path);
        }
        catch (IOException) when (System.IO.File.Exists(System.IO.Path.Combine(path, LogFile)))
        {
            return null; // another run created run.log first
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputError($"Cannot create the output folder '{path}': {e.Message} Choose another folder with --output.");
        }
    }
}
