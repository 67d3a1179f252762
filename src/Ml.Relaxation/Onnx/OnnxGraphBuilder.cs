using System.Runtime.InteropServices;

namespace Ml.Relaxation.Onnx;

/// <summary>
/// Collects the inputs, outputs, weights and nodes of one ONNX graph and encodes it as a <c>ModelProto</c> (IR 8,
/// default-domain opset 17, so that ONNX Runtime and the <c>onnx</c> 1.12 checker both accept it).
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>IR version written: the newest that the <c>onnx</c> 1.12 checker validates.</summary>
    public const long IrVersion = 8;

    /// <summary>Default-domain operator set written.</summary>
    public const long OpsetVersion = 17;

    /// <summary>A dimension value meaning "the batch size": written as the symbolic dimension <see cref="BatchDimension"/>.</summary>
    public const long Batch = -1;

    /// <summary>Name of the symbolic batch dimension.</summary>
    public const string BatchDimension = "N";

    private readonly string _name;
    private readonly List<ProtoMessageWriter> _nodes = [];
    private readonly List<ProtoMessageWriter> _initializers = [];
    private readonly List<ProtoMessageWriter> _inputs = [];
    private readonly List<ProtoMessageWriter> _outputs = [];
    private readonly HashSet<string> _names = [];

    /// <summary>Starts a graph called <paramref name="name"/>.</summary>
    public OnnxGraphBuilder(string name) => _name = name;

    /// <summary>Declares a graph input; <see cref="Batch"/> in <paramref name="dims"/> is the symbolic batch dimension.</summary>
    public string AddInput(string name, OnnxElementType type, params long[] dims)
    {
        Claim(name);
        _inputs.Add(ValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Declares that the value <paramref name="name"/> (produced by a node) is a graph output.</summary>
    public void AddOutput(string name, OnnxElementType type, params long[] dims) => _outputs.Add(ValueInfo(name, type, dims));

    /// <summary>Adds a float weight tensor and returns its name.</summary>
    public string AddInitializer(string name, ReadOnlySpan<float> values, params long[] dims)
        => AddInitializer(name, OnnxElementType.Float, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>Adds an int64 constant tensor (shapes, depths) and returns its name.</summary>
    public string AddInitializer(string name, ReadOnlySpan<long> values, params long[] dims)
        => AddInitializer(name, OnnxElementType.Int64, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>Adds a node with one output named <paramref name="output"/> and returns that name.</summary>
    public string AddNode(string opType, string[] inputs, string output, params OnnxAttribute[] attributes)
    {
        Claim(output);
        var node = new ProtoMessageWriter();
        foreach (string input in inputs)
        {
            if (!_names.Contains(input))
                throw new InvalidOperationException($"Node '{output}' ({opType}) reads '{input}', which is not defined yet.");
            node.String(1, input);
        }
        node.String(2, output).String(3, output).String(4, opType);
        foreach (OnnxAttribute attribute in attributes) node.Message(5, attribute.ToProto());
        _nodes.Add(node);
        return output;
    }

    /// <summary>Encodes the graph as a complete <c>ModelProto</c>.</summary>
    public byte[] ToModel(string docString)
    {
        var graph = new ProtoMessageWriter();
        foreach (ProtoMessageWriter node in _nodes) graph.Message(1, node);
        graph.String(2, _name);
        foreach (ProtoMessageWriter initializer in _initializers) graph.Message(5, initializer);
        graph.String(10, docString);
        foreach (ProtoMessageWriter input in _inputs) graph.Message(11, input);
        foreach (ProtoMessageWriter output in _outputs) graph.Message(12, output);

        var opset = new ProtoMessageWriter().String(1, "").Int64(2, OpsetVersion);
        return new ProtoMessageWriter()
            .Int64(1, IrVersion)
            .String(2, "Ml.Relaxation")
            .String(3, typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0")
            .Int64(5, 1)
            .String(6, docString)
            .Message(7, graph)
            .Message(8, opset)
            .ToArray();
    }

    private string AddInitializer(string name, OnnxElementType type, ReadOnlySpan<byte> littleEndian, int count, long[] dims)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this machine is not.");
        long expected = 1;
        foreach (long d in dims) expected *= d;
        if (expected != count)
            throw new ArgumentException($"Initializer '{name}' has {count} values; shape [{string.Join(", ", dims)}] needs {expected}.", nameof(dims));
        Claim(name);
        var tensor = new ProtoMessageWriter();
        foreach (long d in dims) tensor.Int64(1, d);
        tensor.Int64(2, (long)type).String(8, name).Bytes(9, littleEndian.ToArray());
        _initializers.Add(tensor);
        return name;
    }

    private void Claim(string name)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"The graph already defines a value named '{name}'.");
    }

    private static ProtoMessageWriter ValueInfo(string name, OnnxElementType type, long[] dims)
    {
        var shape = new ProtoMessageWriter();
        foreach (long d in dims)
        {
            var dim = new ProtoMessageWriter();
            if (d == Batch) dim.String(2, BatchDimension);
            else dim.Int64(1, d);
            shape.Message(1, dim);
        }
        var tensorType = new ProtoMessageWriter().Int64(1, (long)type).Message(2, shape);
        var typeProto = new ProtoMessageWriter().Message(1, tensorType);
        return new ProtoMessageWriter().String(1, name).Message(2, typeProto);
    }
}
