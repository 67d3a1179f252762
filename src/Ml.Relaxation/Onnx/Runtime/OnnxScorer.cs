using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ml.Relaxation.Onnx.Runtime;

/// <summary>
/// Scores batches with an ONNX model in ONNX Runtime: the models this library writes (the discrete VAE's encoder and
/// decoder) and those ML.NET's converter writes (<c>mlContext.Relaxation().ConvertToOnnx</c>). Inputs and outputs
/// are named; one call scores any number of rows. CPU by default; CUDA on request (<see cref="OnnxScorerOptions"/>),
/// falling back to the CPU with one log line when CUDA cannot be used. Thread-safe: one scorer may serve concurrent
/// calls. Dispose it to release the native session.
/// </summary>
/// <remarks>
/// The application picks the native ONNX Runtime package: <c>Microsoft.ML.OnnxRuntime</c> for the CPU, or
/// <c>Microsoft.ML.OnnxRuntime.Gpu.Linux</c> / <c>.Windows</c> for CUDA (never both: the CPU library would win).
/// </remarks>
public sealed class OnnxScorer : IDisposable
{
    private readonly InferenceSession _session;
    private readonly Dictionary<string, OnnxTensorInfo> _inputs;
    private readonly string[] _outputNames;

    /// <summary>Loads <paramref name="model"/> (the bytes of an ONNX file).</summary>
    /// <param name="model">The ONNX model.</param>
    /// <param name="options">Provider and threads; null for the defaults (CPU).</param>
    /// <param name="log">Receives the one line written when CUDA was asked for and the CPU is used instead; null writes it to standard error.</param>
    /// <exception cref="InvalidOperationException">CUDA was asked for without <see cref="OnnxScorerOptions.FallbackToCpu"/> and
    /// cannot be used, or no native ONNX Runtime library is found; the message says which package the application needs.</exception>
    /// <exception cref="OnnxRuntimeException">The bytes are not a valid ONNX model.</exception>
    public OnnxScorer(byte[] model, OnnxScorerOptions? options = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxScorerOptions();
        (_session, ExecutionProvider, FallbackReason) = OnnxSessionFactory.Create(model, options, log ?? Console.Error.WriteLine);
        _inputs = _session.InputMetadata.ToDictionary(p => p.Key, p => Info(p.Key, p.Value), StringComparer.Ordinal);
        Inputs = [.. _session.InputNames.Select(n => _inputs[n])];
        Outputs = [.. _session.OutputNames.Select(n => Info(n, _session.OutputMetadata[n]))];
        _outputNames = [.. _session.OutputNames];
        Metadata = new Dictionary<string, string>(_session.ModelMetadata.CustomMetadataMap, StringComparer.Ordinal);
    }

    /// <summary>The provider the model runs on (the CPU after a fallback).</summary>
    public OnnxExecutionProvider ExecutionProvider { get; }

    /// <summary>Why CUDA was not used when it was asked for; null otherwise.</summary>
    public string? FallbackReason { get; }

    /// <summary>The model's inputs, in order; every one must be given to <see cref="Score(int, OnnxInput[])"/>.</summary>
    public IReadOnlyList<OnnxTensorInfo> Inputs { get; }

    /// <summary>The model's outputs, in order.</summary>
    public IReadOnlyList<OnnxTensorInfo> Outputs { get; }

    /// <summary>The model's <c>metadata_props</c> (keys of this library's files: <see cref="OnnxMetadata"/>).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Scores <paramref name="rows"/> rows and returns every output.</summary>
    public OnnxScores Score(int rows, params OnnxInput[] inputs) => Score(rows, inputs, null);

    /// <summary>Scores <paramref name="rows"/> rows and returns the outputs named in <paramref name="outputs"/> (null: all).</summary>
    /// <exception cref="ArgumentException">An input is missing, unknown, given twice, of the wrong element type or of a
    /// length other than rows times its row width; or an output name is unknown. The message names it.</exception>
    public OnnxScores Score(int rows, IReadOnlyList<OnnxInput> inputs, IReadOnlyList<string>? outputs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentNullException.ThrowIfNull(inputs);
        string[] outputNames = outputs is null ? _outputNames : [.. outputs];
        foreach (string name in outputNames)
            if (!_outputNames.Contains(name))
                throw new ArgumentException($"The model has no output '{name}'; outputs: {List(_outputNames)}.", nameof(outputs));

        var values = new List<OrtValue>(inputs.Count);
        try
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (OnnxInput input in inputs)
            {
                if (!_inputs.TryGetValue(input.Name ?? "", out OnnxTensorInfo? info))
                    throw new ArgumentException($"The model has no input '{input.Name}'; inputs: {List(_inputs.Keys)}.", nameof(inputs));
                if (!seen.Add(input.Name!)) throw new ArgumentException($"Input '{input.Name}' is given twice.", nameof(inputs));
                values.Add(input.ToOrtValue(Shape(info, input, rows)));
            }
            string[] missing = [.. _inputs.Keys.Where(n => !seen.Contains(n))];
            if (missing.Length > 0)
                throw new ArgumentException($"Missing input(s) {List(missing)}: the model needs {string.Join("; ", Inputs)}.", nameof(inputs));

            using var runOptions = new RunOptions();
            using IDisposableReadOnlyCollection<OrtValue> results = _session.Run(runOptions, [.. inputs.Select(i => i.Name)], values, outputNames);
            var scores = new Dictionary<string, (Array, long[])>(StringComparer.Ordinal);
            for (int i = 0; i < outputNames.Length; i++) scores[outputNames[i]] = Read(results[i]);
            return new OnnxScores(rows, scores);
        }
        finally
        {
            foreach (OrtValue value in values) value.Dispose();
        }
    }

    /// <summary>Releases the native session.</summary>
    public void Dispose() => _session.Dispose();

    private static long[] Shape(OnnxTensorInfo info, OnnxInput input, int rows)
    {
        if (input.ElementType != info.ElementType)
            throw new ArgumentException($"Input '{info.Name}' takes {info.ElementType.Name} values, not {input.ElementType.Name}.", nameof(input));
        long[] shape = [.. info.Dimensions];
        if (shape.Length == 0) throw new ArgumentException($"Input '{info.Name}' is a scalar, not a batch.", nameof(input));
        shape[0] = rows;
        int free = shape.Skip(1).Count(d => d < 0);
        long known = shape.Skip(1).Where(d => d >= 0).Aggregate(1L, (a, d) => a * d);
        if (free == 1 && known > 0 && input.Length % (rows * known) == 0)
            shape[Array.FindIndex(shape, 1, d => d < 0)] = input.Length / (rows * known);
        else if (free > 0)
            throw new ArgumentException($"Input '{info.Name}' has more than one free dimension ({info}); its shape cannot be inferred.", nameof(input));
        long expected = shape.Aggregate(1L, (a, d) => a * d);
        if (expected != input.Length)
            throw new ArgumentException($"Input '{info.Name}' ({info}) needs {expected} values for {rows} row(s), got {input.Length}.", nameof(input));
        return shape;
    }

    private static (Array, long[]) Read(OrtValue value)
    {
        OrtTensorTypeAndShapeInfo tensor = value.GetTensorTypeAndShape();
        Array values = tensor.ElementDataType switch
        {
            TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray(),
            TensorElementType.Double => value.GetTensorDataAsSpan<double>().ToArray(),
            TensorElementType.Int64 => value.GetTensorDataAsSpan<long>().ToArray(),
            TensorElementType.Int32 => value.GetTensorDataAsSpan<int>().ToArray(),
            TensorElementType.Bool => value.GetTensorDataAsSpan<bool>().ToArray(),
            TensorElementType.UInt32 => value.GetTensorDataAsSpan<uint>().ToArray(),
            TensorElementType.String => value.GetStringTensorAsArray(),
            var t => throw new NotSupportedException($"Output element type {t} is not supported."),
        };
        return (values, tensor.Shape);
    }

    private static OnnxTensorInfo Info(string name, NodeMetadata metadata) =>
        new(name, metadata.ElementType, [.. metadata.Dimensions.Select(d => (long)d)]);

    private static string List(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
