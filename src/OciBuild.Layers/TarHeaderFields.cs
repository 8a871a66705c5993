namespace OciBuild.Layers;

/// <summary>Encodes the fields of a ustar header block (POSIX.1-2001, pax format).</summary>
internal static class TarHeaderFields
{
    private const int ChecksumOffset = 148;
    private const int ChecksumSize = 8;

    /// <summary>
    /// Finds where <paramref name="name"/> fits the ustar name field, alone or split at a slash into
    /// prefix and name. <paramref name="split"/> is the slash's index, or -1 when no split is needed.
    /// </summary>
    public static bool TrySplitName(ReadOnlySpan<byte> name, int nameFieldSize, int prefixFieldSize, out int split)
    {
        split = -1;
        if (name.Length <= nameFieldSize)
        {
            return true;
        }

        // Take the shortest prefix that leaves at most nameFieldSize bytes after the slash. Those bytes may not be empty.
        for (int i = name.Length - nameFieldSize - 1; i < name.Length - 1 && i <= prefixFieldSize; i++)
        {
            if (i > 0 && name[i] == (byte)'/')
            {
                split = i;
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Returns true when every byte is printable ASCII. Other names go into a PAX record, which the
    /// format defines as UTF-8, because tar readers decode the bytes of ustar fields differently.
    /// </summary>
    public static bool IsAscii(ReadOnlySpan<byte> value)
    {
        foreach (byte b in value)
        {
            if (b is < 0x20 or > 0x7E)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Returns printable ASCII of at most <paramref name="maxLength"/> bytes, with '_' for other bytes.</summary>
    public static byte[] ToAsciiFallback(ReadOnlySpan<byte> value, int maxLength)
    {
        byte[] result = value[..Math.Min(value.Length, maxLength)].ToArray();
        for (int i = 0; i < result.Length; i++)
        {
            if (result[i] is < 0x20 or > 0x7E)
            {
                result[i] = (byte)'_';
            }
        }

        return result;
    }

    /// <summary>Writes <paramref name="value"/> as zero-padded octal digits followed by a NUL, filling the field.</summary>
    public static void WriteOctal(Span<byte> field, long value)
    {
        int digits = field.Length - 1;
        for (int i = digits - 1; i >= 0; i--)
        {
            field[i] = (byte)('0' + (value & 7));
            value >>= 3;
        }

        if (value != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), $"the value does not fit {digits} octal digits");
        }

        field[digits] = 0;
    }

    /// <summary>
    /// Fills the checksum field: the sum of all header bytes with the field itself counted as spaces,
    /// written as six octal digits, a NUL and a space.
    /// </summary>
    public static void WriteChecksum(Span<byte> header)
    {
        header.Slice(ChecksumOffset, ChecksumSize).Fill((byte)' ');
        long sum = 0;
        foreach (byte b in header)
        {
            sum += b;
        }

        WriteOctal(header.Slice(ChecksumOffset, 7), sum);
        header[ChecksumOffset + 7] = (byte)' ';
    }
}

/// <summary>The ustar and PAX type flags that <see cref="UstarWriter"/> writes.</summary>
internal static class TarTypeFlag
{
    public const byte RegularFile = (byte)'0';
    public const byte HardLink = (byte)'1';
    public const byte Symlink = (byte)'2';
    public const byte CharacterDevice = (byte)'3';
    public const byte BlockDevice = (byte)'4';
    public const byte Directory = (byte)'5';
    public const byte Fifo = (byte)'6';
    public const byte PaxExtendedHeader = (byte)'x';
}
