namespace Ml.Relaxation.Onnx;

/// <summary>Tensor element types used by our graphs, with their <c>TensorProto.DataType</c> codes.</summary>
internal enum OnnxElementType
{
    /// <summary>32-bit float.</summary>
    Float = 1,

    /// <summary>64-bit signed integer (indices, shapes).</summary>
    Int64 = 7,

    /// <summary>Boolean (comparison results).</summary>
    Bool = 9,
}
