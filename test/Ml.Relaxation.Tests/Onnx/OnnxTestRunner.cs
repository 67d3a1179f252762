using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ml.Relaxation.Tests.Onnx;

/// <summary>Runs an ONNX model on one float input with ONNX Runtime and returns every output, flattened (the model is checked first where the checker is installed).</summary>
internal static class OnnxTestRunner
{
    public static Dictionary<string, Array> Run(byte[] model, string inputName, float[] input, int rows, int cols)
    {
        OnnxChecker.CheckIfInstalled(model);
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(model, options);
        using var value = OrtValue.CreateTensorValueFromMemory(input, [rows, cols]);
        using var runOptions = new RunOptions();
        string[] names = [.. session.OutputNames];
        using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(runOptions, [inputName], [value], names);
        var result = new Dictionary<string, Array>();
        for (int i = 0; i < names.Length; i++)
        {
            OrtValue output = outputs[i];
            result[names[i]] = output.GetTensorTypeAndShape().ElementDataType switch
            {
                TensorElementType.Float => output.GetTensorDataAsSpan<float>().ToArray(),
                TensorElementType.Int64 => output.GetTensorDataAsSpan<long>().ToArray(),
                var t => throw new NotSupportedException(t.ToString()),
            };
        }
        return result;
    }
}
