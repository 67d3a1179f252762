using Microsoft.ML;

namespace Ml.Relaxation.MLNet.DiscreteVae;

/// <summary>
/// A temporary file holding an ONNX graph for ML.NET's <c>ApplyOnnxModel</c>, deleted on <see cref="Dispose"/>. ML.NET
/// 5.0.1 copies a graph given as a stream to a temporary file that it never deletes (<c>OnnxModel.CreateFromStream</c>
/// opens it with <c>ownModelFile: false</c>), so the graph is given as this file instead and deleted by its owner.
/// </summary>
internal sealed class OnnxGraphFile : IDisposable
{
    private OnnxGraphFile(string path) => Path = path;

    /// <summary>The file's path, in the context's <see cref="MLContext.TempFilePath"/>.</summary>
    public string Path { get; }

    public static OnnxGraphFile Write(MLContext context, byte[] graph)
    {
        string path = System.IO.Path.Combine(context.TempFilePath ?? System.IO.Path.GetTempPath(), $"ml-relaxation-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, graph);
        return new OnnxGraphFile(path);
    }

    /// <summary>Deletes the file (call it after disposing the transformer that reads it).</summary>
    public void Dispose() => File.Delete(Path);
}
