using Microsoft.ML.OnnxRuntime;

namespace Ml.Relaxation.Onnx.Runtime;

/// <summary>
/// Creates the ONNX Runtime session for the execution provider asked for, and turns each way CUDA can be missing into
/// one reason: a CPU-only native package (no CUDA provider, or <see cref="EntryPointNotFoundException"/>), the GPU
/// package without CUDA or cuDNN on the machine (<see cref="OnnxRuntimeException"/> "Failed to load shared library"),
/// or no native package at all.
/// </summary>
internal static class OnnxSessionFactory
{
    private const string CudaProvider = "CUDAExecutionProvider";

    private const string NativePackages = "the application references Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu.Linux / "
        + "Microsoft.ML.OnnxRuntime.Gpu.Windows (CUDA), never both; the library itself references only Microsoft.ML.OnnxRuntime.Managed";

    public static (InferenceSession Session, OnnxExecutionProvider Provider, string? FallbackReason) Create(
        byte[] model, OnnxScorerOptions options, Action<string> log)
    {
        if (options.ExecutionProvider == OnnxExecutionProvider.Cpu) return (CpuSession(model, options), OnnxExecutionProvider.Cpu, null);
        if (options.ExecutionProvider != OnnxExecutionProvider.Cuda)
            throw new ArgumentOutOfRangeException(nameof(options), options.ExecutionProvider, "Expected Cpu or Cuda.");

        string reason;
        try
        {
            reason = CudaMissingFromBuild() ?? "";
            if (reason.Length == 0)
            {
                using SessionOptions cuda = SessionOptions.MakeSessionOptionWithCudaProvider(options.GpuDeviceId);
                Configure(cuda, options);
                return (new InferenceSession(model, cuda), OnnxExecutionProvider.Cuda, null);
            }
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or TypeInitializationException)
        {
            reason = FirstLine((e as TypeInitializationException)?.InnerException ?? e);
        }

        string what = $"CUDA (device {options.GpuDeviceId}) was requested but cannot be used: {reason}";
        if (!options.FallbackToCpu)
            throw new InvalidOperationException($"{what}. Check that {NativePackages}, and that CUDA 13 and cuDNN 9 are installed and on the library path; "
                + "or set FallbackToCpu to run on the CPU.");
        InferenceSession session = CpuSession(model, options);
        log($"Ml.Relaxation ONNX scorer: {what}; running on the CPU instead.");
        return (session, OnnxExecutionProvider.Cpu, reason);
    }

    private static InferenceSession CpuSession(byte[] model, OnnxScorerOptions options)
    {
        try
        {
            using var cpu = new SessionOptions();
            Configure(cpu, options);
            return new InferenceSession(model, cpu);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException)
        {
            throw new InvalidOperationException($"ONNX Runtime's native library was not found ({FirstLine(e.InnerException ?? e)}). Check that {NativePackages}.", e);
        }
    }

    private static void Configure(SessionOptions session, OnnxScorerOptions options)
    {
        // Warnings such as "some nodes were not assigned to the preferred execution providers" would go to stderr.
        session.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
        if (options.IntraOpThreads is int threads) session.IntraOpNumThreads = threads;
    }

    /// <summary>Why this ONNX Runtime build cannot run CUDA, or null when it has the CUDA provider.</summary>
    internal static string? CudaMissingFromBuild()
    {
        string[] providers = OrtEnv.Instance().GetAvailableProviders();
        return providers.Contains(CudaProvider)
            ? null
            : $"the ONNX Runtime native library loaded has no CUDA provider (it has {string.Join(", ", providers)}), so the application "
              + "references the CPU package Microsoft.ML.OnnxRuntime";
    }

    private static string FirstLine(Exception e) => e.Message.Split('\n')[0].Trim();
}
