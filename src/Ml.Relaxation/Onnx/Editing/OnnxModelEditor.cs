namespace Ml.Relaxation.Onnx.Editing;

/// <summary>
/// Small, field-preserving edits of an encoded ONNX <c>ModelProto</c>: every field an edit does not touch is copied
/// byte for byte, so a model written by ML.NET's converter keeps everything else it holds.
/// </summary>
internal static class OnnxModelEditor
{
    // ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto and StringStringEntryProto field numbers (onnx.proto).
    private const int ModelGraph = 7, ModelMetadata = 14;
    private const int GraphNode = 1, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12, GraphValueInfo = 13;
    private const int NodeInput = 1, NodeOutput = 2, NodeOpType = 4, NodeAttribute = 5;
    private const int ValueInfoName = 1, ValueInfoType = 2, TypeTensor = 1, TensorTypeElemType = 1, TensorTypeShape = 2, ShapeDim = 1, DimValue = 1;
    private const int AttributeName = 1, AttributeInt = 3, AttributeFloats = 7, NodeName = 3;
    private const int TensorDims = 1, TensorDataType = 2, TensorInt64Data = 7, TensorName = 8;
    private const int EntryKey = 1, EntryValue = 2;
    private const long FloatType = 1, Int64Type = 7;

    /// <summary>
    /// Rewrites every slot dropper that ML.NET 5.0.1 exports as <c>GatherElements(x, indices [1 x k], axis = 1)</c>,
    /// which returns only the first row of a batch, as <c>Gather(x, indices [k], axis = 1)</c>, which keeps those
    /// columns of every row. Both agree on a batch of one row; only nodes of exactly that form are touched (the
    /// indices an int64 initializer of shape [1, k] read by that node alone). Also declares the one row of the
    /// outputs that carry slot names, so that the full <c>onnx.checker</c> accepts the graph.
    /// </summary>
    /// <returns>The edited model and the number of slot droppers rewritten.</returns>
    public static (byte[] Model, int Rewritten) RepairSlotGathers(byte[] model)
    {
        List<ProtoField> modelFields = ProtoField.Parse(model);
        int graphIndex = modelFields.FindIndex(f => f.Number == ModelGraph);
        if (graphIndex < 0) throw new InvalidDataException("The ONNX model has no graph.");
        List<ProtoField> graph = ProtoField.Parse(modelFields[graphIndex].Payload);

        var initializers = new Dictionary<string, int>(StringComparer.Ordinal);
        var readers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Count; i++)
        {
            if (graph[i].Number == GraphInitializer)
                initializers[ProtoField.Parse(graph[i].Payload).First(f => f.Number == TensorName).Text] = i;
            else if (graph[i].Number == GraphNode)
                foreach (ProtoField input in ProtoField.Parse(graph[i].Payload).Where(f => f.Number == NodeInput))
                    readers[input.Text] = readers.GetValueOrDefault(input.Text) + 1;
        }

        var replaced = new Dictionary<int, byte[]>();
        var oneRow = new HashSet<string>(StringComparer.Ordinal);
        int gathers = 0;
        for (int i = 0; i < graph.Count; i++)
        {
            if (graph[i].Number != GraphNode) continue;
            List<ProtoField> node = ProtoField.Parse(graph[i].Payload);
            if (IsConstantLabelEncoder(node, graph, initializers))
                foreach (ProtoField output in node.Where(f => f.Number == NodeOutput)) oneRow.Add(output.Text);
            if (node.FirstOrDefault(f => f.Number == NodeOpType).Text != "GatherElements" || AxisOf(node) != 1) continue;
            string[] inputs = [.. node.Where(f => f.Number == NodeInput).Select(f => f.Text)];
            if (inputs.Length != 2 || !initializers.TryGetValue(inputs[1], out int tensorIndex) || readers[inputs[1]] != 1) continue;
            List<ProtoField> tensor = ProtoField.Parse(graph[tensorIndex].Payload);
            List<long> dims = ProtoField.Int64s(tensor, TensorDims);
            long type = (long)tensor.FirstOrDefault(f => f.Number == TensorDataType).Number64;
            if (dims.Count != 2 || dims[0] != 1 || type != Int64Type) continue;

            replaced[i] = Rebuild(node, NodeOpType, w => w.String(NodeOpType, "Gather"));
            replaced[tensorIndex] = Rebuild(tensor, TensorDims, w => w.Int64(TensorDims, dims[1]));
            gathers++;
        }
        // ML.NET carries an output column's slot names as a LabelEncoder of a constant [1 x 1] tensor, but declares
        // that output with a free batch dimension, which the checker rejects ("(1) vs (-1)"): declare its one row.
        for (int i = 0; i < graph.Count; i++)
        {
            if (graph[i].Number is not (GraphOutput or GraphValueInfo)) continue;
            List<ProtoField> info = ProtoField.Parse(graph[i].Payload);
            if (oneRow.Contains(info.FirstOrDefault(f => f.Number == ValueInfoName).Text) && WithOneRow(info) is byte[] fixedInfo)
                replaced[i] = fixedInfo;
        }
        if (replaced.Count == 0) return (model, 0);

        var newGraph = new ProtoMessageWriter();
        for (int i = 0; i < graph.Count; i++)
        {
            if (replaced.TryGetValue(i, out byte[]? payload)) newGraph.Bytes(graph[i].Number, payload);
            else newGraph.Raw(graph[i].Encoded.Span);
        }
        return (Replace(modelFields, graphIndex, newGraph.ToArray()), gathers);
    }

    /// <summary>
    /// Where a <c>Gather(axis = 1)</c> of k columns reads the output of a <c>Scaler</c> (ai.onnx.ml) that nothing else
    /// reads, gathers first and scales only those k columns (the scale and offset of the gathered columns): the same
    /// values, without scaling every slot a selector then drops. Returns the model and the number of pairs swapped.
    /// </summary>
    public static (byte[] Model, int Swapped) GatherBeforeScale(byte[] model)
    {
        List<ProtoField> modelFields = ProtoField.Parse(model);
        int graphIndex = modelFields.FindIndex(f => f.Number == ModelGraph);
        if (graphIndex < 0) throw new InvalidDataException("The ONNX model has no graph.");
        List<ProtoField> graph = ProtoField.Parse(modelFields[graphIndex].Payload);

        var producers = new Dictionary<string, int>(StringComparer.Ordinal);
        var readers = new Dictionary<string, int>(StringComparer.Ordinal);
        var initializers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Count; i++)
        {
            if (graph[i].Number == GraphInitializer)
                initializers[ProtoField.Parse(graph[i].Payload).First(f => f.Number == TensorName).Text] = i;
            if (graph[i].Number != GraphNode) continue;
            List<ProtoField> node = ProtoField.Parse(graph[i].Payload);
            foreach (ProtoField output in node.Where(f => f.Number == NodeOutput)) producers[output.Text] = i;
            foreach (ProtoField input in node.Where(f => f.Number == NodeInput)) readers[input.Text] = readers.GetValueOrDefault(input.Text) + 1;
        }
        foreach (ProtoField output in graph.Where(f => f.Number == GraphOutput))
        {
            string name = ProtoField.Parse(output.Payload).First(f => f.Number == ValueInfoName).Text;
            readers[name] = readers.GetValueOrDefault(name) + 1;
        }

        var replaced = new Dictionary<int, byte[]>();
        var retyped = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Count; i++)
        {
            if (graph[i].Number != GraphNode) continue;
            List<ProtoField> gather = ProtoField.Parse(graph[i].Payload);
            if (gather.FirstOrDefault(f => f.Number == NodeOpType).Text != "Gather" || AxisOf(gather) != 1) continue;
            string[] inputs = [.. gather.Where(f => f.Number == NodeInput).Select(f => f.Text)];
            if (inputs.Length != 2 || readers.GetValueOrDefault(inputs[0]) != 1 || !producers.TryGetValue(inputs[0], out int scalerIndex)
                || !initializers.TryGetValue(inputs[1], out int indicesIndex)) continue;
            List<ProtoField> scaler = ProtoField.Parse(graph[scalerIndex].Payload);
            if (scaler.FirstOrDefault(f => f.Number == NodeOpType).Text != "Scaler") continue;
            List<ProtoField> indicesTensor = ProtoField.Parse(graph[indicesIndex].Payload);
            if (ProtoField.Int64s(indicesTensor, TensorDims).Count != 1) continue;
            long[] kept = [.. ProtoField.Int64s(indicesTensor, TensorInt64Data)];
            string source = scaler.First(f => f.Number == NodeInput).Text, between = inputs[0];
            string output = gather.First(f => f.Number == NodeOutput).Text;
            if (kept.Length == 0 || scaler.Where(f => f.Number == NodeAttribute).Select(a => Subset(a, kept)).Any(a => a is null)) continue;

            // Gather(source) -> between; Scaler(between) -> output, with the kept columns' attributes.
            replaced[i] = Rebuild(Rebuild(gather, NodeInput, w => w.String(NodeInput, source).String(NodeInput, inputs[1])), NodeOutput,
                w => w.String(NodeOutput, between));
            var newScaler = new ProtoMessageWriter();
            foreach (ProtoField field in scaler)
            {
                if (field.Number == NodeInput) newScaler.String(NodeInput, between);
                else if (field.Number == NodeOutput) newScaler.String(NodeOutput, output);
                else if (field.Number == NodeAttribute) newScaler.Bytes(NodeAttribute, Subset(field, kept)!);
                else newScaler.Raw(field.Encoded.Span);
            }
            replaced[scalerIndex] = newScaler.ToArray();
            retyped.Add(between);
        }
        if (replaced.Count == 0) return (model, 0);

        // The Gather now feeds the Scaler: the nodes are sorted again so every node follows the producers of its inputs.
        var newGraph = new ProtoMessageWriter();
        for (int i = 0; i < graph.Count; i++)
        {
            // A value info of the intermediate value still declares all slots: drop it (value infos are optional).
            if (graph[i].Number == GraphValueInfo && retyped.Contains(ProtoField.Parse(graph[i].Payload).First(f => f.Number == ValueInfoName).Text))
                continue;
            if (replaced.TryGetValue(i, out byte[]? payload)) newGraph.Bytes(graph[i].Number, payload);
            else newGraph.Raw(graph[i].Encoded.Span);
        }
        return (Replace(modelFields, graphIndex, ReorderNodes(newGraph.ToArray())), retyped.Count);
    }

    /// <summary>The graph with its nodes in an order where every node comes after the producers of its inputs.</summary>
    private static byte[] ReorderNodes(byte[] graphPayload)
    {
        List<ProtoField> graph = ProtoField.Parse(graphPayload);
        var nodes = graph.Where(f => f.Number == GraphNode).ToList();
        var produced = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int n = 0; n < nodes.Count; n++)
            foreach (ProtoField output in ProtoField.Parse(nodes[n].Payload).Where(f => f.Number == NodeOutput)) produced[output.Text] = n;
        var order = new List<int>();
        var state = new int[nodes.Count]; // 0 new, 1 visiting, 2 done
        void Visit(int n)
        {
            if (state[n] == 2) return;
            if (state[n] == 1) throw new InvalidDataException("The ONNX graph has a cycle.");
            state[n] = 1;
            foreach (ProtoField input in ProtoField.Parse(nodes[n].Payload).Where(f => f.Number == NodeInput))
                if (produced.TryGetValue(input.Text, out int p)) Visit(p);
            state[n] = 2;
            order.Add(n);
        }
        for (int n = 0; n < nodes.Count; n++) Visit(n);
        var writer = new ProtoMessageWriter();
        int next = 0;
        foreach (ProtoField field in graph)
        {
            if (field.Number == GraphNode) writer.Raw(nodes[order[next++]].Encoded.Span);
            else writer.Raw(field.Encoded.Span);
        }
        return writer.ToArray();
    }

    /// <summary>A Scaler attribute restricted to the kept columns: per-column float lists are subset, a single value is kept; null if neither.</summary>
    private static byte[]? Subset(ProtoField attribute, long[] kept)
    {
        List<ProtoField> fields = ProtoField.Parse(attribute.Payload);
        List<float> values = Floats(fields);
        if (values.Count <= 1) return attribute.Payload.ToArray();
        if (kept.Any(j => j < 0 || j >= values.Count)) return null;
        var writer = new ProtoMessageWriter();
        bool written = false;
        foreach (ProtoField field in fields)
        {
            if (field.Number != AttributeFloats)
            {
                writer.Raw(field.Encoded.Span);
                continue;
            }
            if (!written) foreach (long j in kept) writer.Float(AttributeFloats, values[(int)j]);
            written = true;
        }
        return writer.ToArray();
    }

    private static List<float> Floats(List<ProtoField> attribute)
    {
        var values = new List<float>();
        foreach (ProtoField field in attribute.Where(f => f.Number == AttributeFloats))
        {
            if (field.WireType == ProtoWireType.Fixed32)
            {
                values.Add(BitConverter.UInt32BitsToSingle((uint)field.Number64));
                continue;
            }
            ReadOnlySpan<byte> packed = field.Payload.Span;
            for (int p = 0; p + 4 <= packed.Length; p += 4) values.Add(BitConverter.ToSingle(packed[p..(p + 4)]));
        }
        return values;
    }

    /// <summary>
    /// Declares the output type, Single [N x n_targets], of every <c>TreeEnsembleRegressor</c> (ai.onnx.ml) whose
    /// output the graph does not declare. The reference checker infers no type for that operator's output at the opset
    /// ML.NET writes (ai.onnx.ml 2; seen with onnx 1.12), and ML.NET declares only a trainer's final outputs, so the full
    /// <c>onnx.checker</c> rejects a graph in which another node reads a tree ensemble's output: a multiclass tree model
    /// (LightGBM, one-versus-all FastTree) calibrates and normalizes each class's scores. ONNX Runtime runs such a graph
    /// either way.
    /// </summary>
    /// <returns>The edited model and the number of outputs declared.</returns>
    public static (byte[] Model, int Declared) DeclareTreeEnsembleOutputs(byte[] model)
    {
        List<ProtoField> modelFields = ProtoField.Parse(model);
        int graphIndex = modelFields.FindIndex(f => f.Number == ModelGraph);
        if (graphIndex < 0) throw new InvalidDataException("The ONNX model has no graph.");
        List<ProtoField> graph = ProtoField.Parse(modelFields[graphIndex].Payload);
        var declared = new HashSet<string>(graph.Where(f => f.Number is GraphOutput or GraphValueInfo or GraphInput)
            .Select(f => ProtoField.Parse(f.Payload).FirstOrDefault(v => v.Number == ValueInfoName).Text ?? ""), StringComparer.Ordinal);

        var added = new List<byte[]>();
        foreach (ProtoField field in graph.Where(f => f.Number == GraphNode))
        {
            List<ProtoField> node = ProtoField.Parse(field.Payload);
            if (node.FirstOrDefault(f => f.Number == NodeOpType).Text != "TreeEnsembleRegressor") continue;
            string output = node.FirstOrDefault(f => f.Number == NodeOutput).Text;
            if (string.IsNullOrEmpty(output) || !declared.Add(output)) continue;
            long targets = IntAttribute(node, "n_targets") ?? 1;
            var shape = new ProtoMessageWriter()
                .Bytes(ShapeDim, []) // the batch: any number of rows
                .Message(ShapeDim, new ProtoMessageWriter().Int64(DimValue, targets));
            var tensor = new ProtoMessageWriter().Int64(TensorTypeElemType, FloatType).Message(TensorTypeShape, shape);
            added.Add(new ProtoMessageWriter().String(ValueInfoName, output)
                .Message(ValueInfoType, new ProtoMessageWriter().Message(TypeTensor, tensor)).ToArray());
        }
        if (added.Count == 0) return (model, 0);

        var newGraph = new ProtoMessageWriter();
        foreach (ProtoField field in graph) newGraph.Raw(field.Encoded.Span);
        foreach (byte[] info in added) newGraph.Bytes(GraphValueInfo, info);
        return (Replace(modelFields, graphIndex, newGraph.ToArray()), added.Count);
    }

    /// <summary>
    /// Sets <c>metadata_props</c> entries: an entry whose key is given is replaced, the others are kept, new ones
    /// are appended in the order given.
    /// </summary>
    public static byte[] SetMetadata(byte[] model, IEnumerable<KeyValuePair<string, string>> entries)
    {
        var values = entries.ToList();
        var keys = new HashSet<string>(values.Select(e => e.Key), StringComparer.Ordinal);
        var writer = new ProtoMessageWriter();
        foreach (ProtoField field in ProtoField.Parse(model))
        {
            bool overwritten = field.Number == ModelMetadata
                && keys.Contains(ProtoField.Parse(field.Payload).FirstOrDefault(f => f.Number == EntryKey).Text ?? "");
            if (!overwritten) writer.Raw(field.Encoded.Span);
        }
        foreach (var (key, value) in values)
            writer.Message(ModelMetadata, new ProtoMessageWriter().String(EntryKey, key).String(EntryValue, value));
        return writer.ToArray();
    }

    private static bool IsConstantLabelEncoder(List<ProtoField> node, List<ProtoField> graph, Dictionary<string, int> initializers)
    {
        if (node.FirstOrDefault(f => f.Number == NodeOpType).Text != "LabelEncoder") return false;
        string[] inputs = [.. node.Where(f => f.Number == NodeInput).Select(f => f.Text)];
        return inputs.Length == 1 && initializers.TryGetValue(inputs[0], out int index)
            && ProtoField.Int64s(ProtoField.Parse(graph[index].Payload), TensorDims) is [1, 1];
    }

    /// <summary>The value info with its first dimension declared as 1, or null if it has no tensor shape.</summary>
    private static byte[]? WithOneRow(List<ProtoField> info)
    {
        int typeIndex = info.FindIndex(f => f.Number == ValueInfoType);
        if (typeIndex < 0) return null;
        List<ProtoField> type = ProtoField.Parse(info[typeIndex].Payload);
        int tensorIndex = type.FindIndex(f => f.Number == TypeTensor);
        if (tensorIndex < 0) return null;
        List<ProtoField> tensor = ProtoField.Parse(type[tensorIndex].Payload);
        int shapeIndex = tensor.FindIndex(f => f.Number == TensorTypeShape);
        if (shapeIndex < 0) return null;
        List<ProtoField> shape = ProtoField.Parse(tensor[shapeIndex].Payload);
        int firstDim = shape.FindIndex(f => f.Number == ShapeDim);
        if (firstDim < 0) return null;
        byte[] newShape = Replace(shape, firstDim, new ProtoMessageWriter().Int64(DimValue, 1).ToArray());
        byte[] newTensor = Replace(tensor, shapeIndex, newShape);
        byte[] newType = Replace(type, tensorIndex, newTensor);
        return Replace(info, typeIndex, newType);
    }

    private static long AxisOf(List<ProtoField> node) => IntAttribute(node, "axis") ?? 0; // 0: the default axis of GatherElements

    private static long? IntAttribute(List<ProtoField> node, string name)
    {
        foreach (ProtoField attribute in node.Where(f => f.Number == NodeAttribute))
        {
            List<ProtoField> fields = ProtoField.Parse(attribute.Payload);
            if (fields.FirstOrDefault(f => f.Number == AttributeName).Text == name)
                return (long)fields.FirstOrDefault(f => f.Number == AttributeInt).Number64;
        }
        return null;
    }

    /// <summary>The message with every field numbered <paramref name="number"/> replaced, where the first one stood, by what <paramref name="write"/> writes.</summary>
    private static byte[] Rebuild(byte[] message, int number, Action<ProtoMessageWriter> write) => Rebuild(ProtoField.Parse(message), number, write);

    private static byte[] Rebuild(List<ProtoField> fields, int number, Action<ProtoMessageWriter> write)
    {
        var writer = new ProtoMessageWriter();
        bool written = false;
        foreach (ProtoField field in fields)
        {
            if (field.Number != number)
            {
                writer.Raw(field.Encoded.Span);
                continue;
            }
            if (!written) write(writer);
            written = true;
        }
        return writer.ToArray();
    }

    private static byte[] Replace(List<ProtoField> fields, int index, byte[] payload)
    {
        var writer = new ProtoMessageWriter();
        for (int i = 0; i < fields.Count; i++)
        {
            if (i == index) writer.Bytes(fields[i].Number, payload);
            else writer.Raw(fields[i].Encoded.Span);
        }
        return writer.ToArray();
    }
}
