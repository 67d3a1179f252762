using System.Diagnostics;

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

    /// <summary>Whether a python3 with the onnx module was found.</summary>
    public static bool Available => Python.Value is not null;

    public static void AssertValid(byte[] model)
    {
        string python = Python.Value ?? throw new InvalidOperationException(MissingMessage);
        string path = Path.Combine(Path.GetTempPath(), $"ml-relaxation-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model);
        try
        {
            (int code, string output) = Execute(python, "-c \"import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print('ok')\" " + path);
            Assert.True(code == 0 && output.Trim() == "ok", $"onnx.checker rejected the model:\n{output}");
        }
        finally
        {
            File.Delete(path);
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
