using Google.Protobuf;

namespace Ml.Relaxation.Onnx;

/// <summary>
/// Writes one protobuf message field by field. Nested messages are written into their own writer first and then
/// embedded as a length-delimited field, which is all the ONNX messages we emit need; it spares build-time code
/// generation from <c>onnx.proto</c>. Repeated scalars are written unpacked, as proto2 (<c>onnx.proto</c>) expects.
/// </summary>
internal sealed class ProtoMessageWriter
{
    private readonly MemoryStream _buffer = new();
    private readonly CodedOutputStream _output;

    public ProtoMessageWriter() => _output = new CodedOutputStream(_buffer, leaveOpen: true);

    /// <summary>A varint field (int32, int64 and enums share the encoding for non-negative values).</summary>
    public ProtoMessageWriter Int64(int field, long value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt64(value);
        return this;
    }

    /// <summary>A 32-bit float field.</summary>
    public ProtoMessageWriter Float(int field, float value)
    {
        _output.WriteTag(field, WireFormat.WireType.Fixed32);
        _output.WriteFloat(value);
        return this;
    }

    /// <summary>A UTF-8 string field.</summary>
    public ProtoMessageWriter String(int field, string value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteString(value);
        return this;
    }

    /// <summary>A bytes field.</summary>
    public ProtoMessageWriter Bytes(int field, byte[] value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteBytes(UnsafeByteOperations.UnsafeWrap(value));
        return this;
    }

    /// <summary>A field copied as it was encoded elsewhere (tag included).</summary>
    public ProtoMessageWriter Raw(ReadOnlySpan<byte> encodedField)
    {
        _output.Flush();
        _buffer.Write(encodedField);
        return this;
    }

    /// <summary>An embedded message field.</summary>
    public ProtoMessageWriter Message(int field, ProtoMessageWriter message) => Bytes(field, message.ToArray());

    /// <summary>The encoded message.</summary>
    public byte[] ToArray()
    {
        _output.Flush();
        return _buffer.ToArray();
    }
}
