namespace Ml.Relaxation.Onnx.Runtime;

/// <summary>Where ONNX Runtime runs a model.</summary>
public enum OnnxExecutionProvider
{
    /// <summary>The CPU (every ONNX Runtime build has it).</summary>
    Cpu,

    /// <summary>
    /// An NVIDIA GPU through CUDA: needs the application to reference <c>Microsoft.ML.OnnxRuntime.Gpu.Linux</c> or
    /// <c>.Windows</c> (instead of <c>Microsoft.ML.OnnxRuntime</c>) and CUDA 13 with cuDNN 9 on the machine.
    /// </summary>
    Cuda,
}
