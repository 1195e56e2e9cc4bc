namespace Chaos.Testing.Emulator.Api;

/// <summary>Reads the protobuf wire format (varints, fixed and length-delimited fields); malformed input is a 400.</summary>
internal sealed class WireReader(ReadOnlyMemory<byte> data)
{
    private int _position;

    public bool AtEnd => _position >= data.Length;

    /// <summary>Reads the next field key, or returns false at the end.</summary>
    public bool Next(out int field, out int wire)
    {
        if (AtEnd)
        {
            (field, wire) = (0, 0);
            return false;
        }

        var key = Varint();
        field = (int)(key >> 3);
        wire = (int)(key & 7);
        if (field <= 0)
        {
            throw Malformed();
        }

        return true;
    }

    public WireReader Expect(int actual, int expected) => actual == expected ? this : throw Malformed();

    public ulong Varint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (AtEnd)
            {
                throw Malformed();
            }

            var b = data.Span[_position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Malformed();
    }

    public ulong Fixed(int size)
    {
        if (data.Length - _position < size)
        {
            throw Malformed();
        }

        ulong value = 0;
        for (var i = size - 1; i >= 0; i--)
        {
            value = (value << 8) | data.Span[_position + i];
        }

        _position += size;
        return value;
    }

    public ReadOnlyMemory<byte> Bytes()
    {
        var length = Varint();
        if (length > (ulong)(data.Length - _position))
        {
            throw Malformed();
        }

        var slice = data.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    public void Skip(int wire)
    {
        switch (wire)
        {
            case 0:
                Varint();
                break;
            case 1:
                Fixed(8);
                break;
            case 2:
                Bytes();
                break;
            case 5:
                Fixed(4);
                break;
            default:
                throw Malformed();
        }
    }

    private static ApiException Malformed() => ApiException.BadRequest("the protobuf request body is malformed");
}
