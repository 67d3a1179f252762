namespace Ml.Relaxation.Onnx;

/// <summary>A node attribute: an int, a float or a list of ints (the kinds our graphs use).</summary>
internal sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, long[]? Ints = null)
{
    // AttributeProto.AttributeType codes.
    private const int FloatType = 1, IntType = 2, IntsType = 7;

    /// <summary>An integer attribute.</summary>
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);

    /// <summary>A float attribute.</summary>
    public static OnnxAttribute Of(string name, float value) => new(name, Float: value);

    /// <summary>An integer-list attribute.</summary>
    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);

    /// <summary>Encodes an <c>AttributeProto</c>.</summary>
    public ProtoMessageWriter ToProto()
    {
        var message = new ProtoMessageWriter().String(1, Name);
        if (Int is long i) return message.Int64(3, i).Int64(20, IntType);
        if (Float is float f) return message.Float(2, f).Int64(20, FloatType);
        if (Ints is long[] ints)
        {
            foreach (long v in ints) message.Int64(8, v);
            return message.Int64(20, IntsType);
        }
        throw new InvalidOperationException($"Attribute '{Name}' has no value.");
    }
}
