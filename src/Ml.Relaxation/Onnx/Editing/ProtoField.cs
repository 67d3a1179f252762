namespace Ml.Relaxation.Onnx.Editing;

/// <summary>
/// One field of an encoded protobuf message: its number, wire type, value (a varint or fixed number, or the payload
/// of a length-delimited field) and its complete encoding (tag included), so an editor can copy fields it does not
/// change byte for byte.
/// </summary>
internal readonly record struct ProtoField(int Number, ProtoWireType WireType, ulong Number64, ReadOnlyMemory<byte> Payload, ReadOnlyMemory<byte> Encoded)
{
    /// <summary>The payload as UTF-8 text (string fields).</summary>
    public string Text => System.Text.Encoding.UTF8.GetString(Payload.Span);

    /// <summary>
    /// Splits <paramref name="message"/> into its fields, in order. Only the wire types ONNX uses (varint, 64-bit,
    /// length-delimited, 32-bit) are accepted.
    /// </summary>
    public static List<ProtoField> Parse(ReadOnlyMemory<byte> message)
    {
        var fields = new List<ProtoField>();
        ReadOnlySpan<byte> span = message.Span;
        int position = 0;
        while (position < span.Length)
        {
            int start = position;
            ulong tag = ReadVarint(span, ref position);
            int number = (int)(tag >> 3);
            var type = (ProtoWireType)(tag & 7);
            if (number <= 0) throw new InvalidDataException($"Invalid protobuf field number {number} at byte {start}.");
            ulong value = 0;
            ReadOnlyMemory<byte> payload = default;
            switch (type)
            {
                case ProtoWireType.Varint:
                    value = ReadVarint(span, ref position);
                    break;
                case ProtoWireType.Fixed64:
                    value = Take(span, ref position, 8);
                    break;
                case ProtoWireType.Fixed32:
                    value = Take(span, ref position, 4);
                    break;
                case ProtoWireType.LengthDelimited:
                    ulong length = ReadVarint(span, ref position);
                    if (length > (ulong)(span.Length - position))
                        throw new InvalidDataException($"Protobuf field {number} at byte {start} claims {length} bytes; only {span.Length - position} remain.");
                    payload = message.Slice(position, (int)length);
                    position += (int)length;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported protobuf wire type {(int)type} (field {number}) at byte {start}.");
            }
            fields.Add(new ProtoField(number, type, value, payload, message[start..position]));
        }
        return fields;
    }

    /// <summary>The values of a repeated int64 field, packed or not.</summary>
    public static List<long> Int64s(IEnumerable<ProtoField> fields, int number)
    {
        var values = new List<long>();
        foreach (ProtoField field in fields)
        {
            if (field.Number != number) continue;
            if (field.WireType == ProtoWireType.Varint)
            {
                values.Add((long)field.Number64);
                continue;
            }
            ReadOnlySpan<byte> packed = field.Payload.Span;
            int position = 0;
            while (position < packed.Length) values.Add((long)ReadVarint(packed, ref position));
        }
        return values;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= span.Length) throw new InvalidDataException("Truncated protobuf varint.");
            byte b = span[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        throw new InvalidDataException("Malformed protobuf varint (more than 10 bytes).");
    }

    private static ulong Take(ReadOnlySpan<byte> span, ref int position, int bytes)
    {
        if (span.Length - position < bytes) throw new InvalidDataException("Truncated protobuf fixed-width field.");
        ulong value = 0;
        for (int i = bytes - 1; i >= 0; i--) value = (value << 8) | span[position + i];
        position += bytes;
        return value;
    }
}

/// <summary>Protobuf wire types.</summary>
internal enum ProtoWireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}
