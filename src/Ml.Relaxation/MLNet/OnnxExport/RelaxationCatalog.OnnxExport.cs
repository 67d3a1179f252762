using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Relaxation.MLNet.OnnxExport;
using Ml.Relaxation.Onnx.Runtime;

namespace Ml.Relaxation.MLNet;

public sealed partial class RelaxationCatalog
{
    /// <summary>
    /// Converts <paramref name="model"/> (a fitted pipeline, in memory or loaded with <c>Model.Load</c>) to ONNX and
    /// writes it to <paramref name="stream"/>: the documented export route for pipelines that contain a gated feature
    /// selector. ML.NET's converter does the work; this call lets it through the selector (whose guard makes the plain
    /// <c>mlContext.Model.ConvertToOnnx</c> fail rather than export a wrong graph), rewrites the slot droppers that
    /// ML.NET 5.0.1 exports for one row only (its own feature selectors' too) so the graph scores batches of any size,
    /// and writes what the file is into its metadata (<see cref="Onnx.OnnxMetadata"/>). Pipelines without a selector
    /// convert as with ML.NET, plus the repair and the metadata.
    /// </summary>
    /// <param name="model">The fitted model.</param>
    /// <param name="inputData">Data with the model's input schema (only its schema is read, as by ML.NET's converter).</param>
    /// <param name="stream">Receives the ONNX model (IR and opset chosen by ML.NET's converter).</param>
    /// <param name="outputColumns">The output columns to keep; none keeps every column, as ML.NET does.</param>
    /// <exception cref="NotSupportedException">The model contains the discrete VAE (or another ONNX transformer): export
    /// its encoder with <c>DiscreteVaeTransformer.GetEncoderOnnx()</c>.</exception>
    public void ConvertToOnnx(ITransformer model, IDataView inputData, Stream stream, params string[] outputColumns)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputData);
        ArgumentNullException.ThrowIfNull(stream);
        byte[] bytes = PipelineOnnxExport.Convert(Context, model, inputData, outputColumns ?? []);
        stream.Write(bytes);
    }

    /// <summary>As <see cref="ConvertToOnnx(ITransformer, IDataView, Stream, string[])"/>, from the input schema alone
    /// (for instance the one <c>mlContext.Model.Load</c> returns).</summary>
    public void ConvertToOnnx(ITransformer model, DataViewSchema inputSchema, Stream stream, params string[] outputColumns)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ConvertToOnnx(model, new SchemaOnlyDataView(inputSchema), stream, outputColumns);
    }

    /// <summary>
    /// An <see cref="OnnxScorer"/> for <paramref name="model"/> whose one log line (CUDA asked for but unavailable,
    /// running on the CPU) goes to <c>MLContext.Log</c> as a warning.
    /// </summary>
    public OnnxScorer CreateOnnxScorer(byte[] model, OnnxScorerOptions? options = null)
    {
        IChannel channel = Environment.Register(nameof(OnnxScorer)).Start("ONNX scorer");
        try
        {
            return new OnnxScorer(model, options, line => channel.Warning(MessageSensitivity.None, "{0}", line));
        }
        finally
        {
            channel.Dispose();
        }
    }
}
