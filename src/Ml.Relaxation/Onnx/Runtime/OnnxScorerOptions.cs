namespace Ml.Relaxation.Onnx.Runtime;

/// <summary>How an <see cref="OnnxScorer"/> runs its model, with the defaults.</summary>
public sealed class OnnxScorerOptions
{
    /// <summary>The execution provider asked for. Default <see cref="OnnxExecutionProvider.Cpu"/>.</summary>
    public OnnxExecutionProvider ExecutionProvider { get; set; } = OnnxExecutionProvider.Cpu;

    /// <summary>The CUDA device (with <see cref="OnnxExecutionProvider.Cuda"/>). Default 0.</summary>
    public int GpuDeviceId { get; set; }

    /// <summary>
    /// With <see cref="OnnxExecutionProvider.Cuda"/>: true (default) runs on the CPU, with one log line saying why,
    /// when CUDA cannot be used; false throws <see cref="InvalidOperationException"/> instead.
    /// </summary>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>Threads ONNX Runtime uses inside one operator on the CPU; null (default) lets ONNX Runtime choose (one per core).</summary>
    public int? IntraOpThreads { get; set; }
}
