using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;

namespace Ml.Relaxation.Tests.Onnx;

/// <summary>
/// Validates a model with the reference checker, <c>onnx.checker.check_model(model, full_check=True)</c>, from the
/// Debian package python3-onnx (<c>apt-get install python3-onnx</c>). Where no python3 with the onnx module is
/// found, tests marked <see cref="OnnxCheckerTheoryAttribute"/> are reported as skipped with <see cref="MissingMessage"/>.
/// </summary>
internal static class OnnxChecker
{
    public const string MissingMessage = "python3 with the onnx module (Debian package python3-onnx) is not installed: ONNX checker validation skipped.";

    private static readonly Lazy<string?> Python = new(FindPython);
    private static readonly ConcurrentDictionary<string, bool> Valid = new(StringComparer.Ordinal);

    /// <summary>Whether a python3 with the onnx module was found.</summary>
    public static bool Available => Python.Value is not null;

    /// <summary>
    /// Where the checker is installed (in CI), validates <paramref name="model"/>, each distinct model once; elsewhere
    /// does nothing (<see cref="OnnxCheckerTheoryAttribute"/> tests then show as skipped). Every graph a test exports
    /// goes through here or <see cref="AssertValid"/>.
    /// </summary>
    public static void CheckIfInstalled(byte[] model)
    {
        if (Available) AssertValid(model);
    }

    /// <summary>As <see cref="CheckIfInstalled(byte[])"/>, for model files.</summary>
    public static void CheckIfInstalled(IEnumerable<string> paths)
    {
        foreach (string path in paths) CheckIfInstalled(File.ReadAllBytes(path));
    }

    /// <summary>Runs the checker on <paramref name="model"/> (once per distinct model: a model that passed is remembered by its hash).</summary>
    public static void AssertValid(byte[] model)
    {
        string python = Python.Value ?? throw new InvalidOperationException(MissingMessage);
        string hash = Convert.ToHexString(SHA256.HashData(model));
        if (Valid.ContainsKey(hash)) return;
        string path = Path.Combine(Path.GetTempPath(), $"ml-relaxation-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model);
        try
        {
            string reply = Check(python, path);
            Assert.True(reply == "ok", $"onnx.checker rejected the model:\n{reply}");
            Valid[hash] = true;
        }
        finally
        {
            File.Delete(path);
        }
    }

    // One python process for the whole test run checks every file (importing onnx costs about 0.4 s; a check, little):
    // it reads a path per line and answers "ok" or the error on one line. It ends when the test host closes its input.
    private const string Server = "import sys, onnx\n"
        + "for line in sys.stdin:\n"
        + "    try:\n"
        + "        onnx.checker.check_model(onnx.load(line.rstrip('\\n')), full_check=True); print('ok', flush=True)\n"
        + "    except Exception as e:\n"
        + "        print(repr(e).replace('\\n', ' | '), flush=True)\n";

    private static readonly Lock ServerLock = new();
    private static Process? _server;

    private static string Check(string python, string path)
    {
        lock (ServerLock)
        {
            if (_server is null || _server.HasExited)
            {
                var start = new ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
                start.ArgumentList.Add("-c");
                start.ArgumentList.Add(Server);
                _server = Process.Start(start)!;
                _server.ErrorDataReceived += (_, _) => { }; // drained, so a warning flood cannot block it
                _server.BeginErrorReadLine();
            }
            _server.StandardInput.WriteLine(path);
            _server.StandardInput.Flush();
            return _server.StandardOutput.ReadLine() ?? $"the checker process ended (exit code {(_server.WaitForExit(1000) ? _server.ExitCode : -1)})";
        }
    }

    private static string? FindPython()
    {
        foreach (string candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                if (Execute(candidate, "-c \"import onnx\"").Code == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under this name; try the next.
            }
        }
        return null;
    }

    private static (int Code, string Output) Execute(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}

/// <summary>A theory that is skipped, saying why, where the ONNX reference checker is not installed.</summary>
internal sealed class OnnxCheckerTheoryAttribute : TheoryAttribute
{
    public OnnxCheckerTheoryAttribute()
    {
        if (!OnnxChecker.Available) Skip = OnnxChecker.MissingMessage;
    }
}
