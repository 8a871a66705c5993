using System.Buffers;
using System.Text;

namespace OciBuild.Layers;

/// <summary>
/// Writes a tar stream in the POSIX ustar format, adding a PAX extended header (<c>x</c> entry) only
/// for the values a ustar header cannot contain. Every entry gets the owner and time given to the
/// constructor, unless a <see cref="LayerFileMetadata"/> passed with the entry sets its own.
/// </summary>
/// <remarks>
/// This exists instead of <see cref="System.Formats.Tar.TarWriter"/> because TarWriter puts an
/// extended header before every PAX entry, even a short one, and names it
/// <c>./PaxHeaders.&lt;process id&gt;/...</c> (seen with .NET 10.0.12). The same files then give a
/// different layer digest in every process. The .NET SDK's container support builds its layers
/// from PaxTarEntry objects with TarWriter, so its layer digests change between runs for this reason.
/// </remarks>
internal sealed class UstarWriter
{
    public const int BlockSize = 512;

    private const int NameFieldSize = 100;
    private const int PrefixFieldSize = 155;
    private const long MaxOctal7 = 0x1F_FFFF;         // 7 octal digits: uid, gid
    private const long MaxOctal11 = 0x1_FFFF_FFFF;    // 11 octal digits: size, mtime
    private const int CopyBufferSize = 81920;

    private readonly Stream _output;
    private readonly int _userId;
    private readonly int _groupId;
    private readonly long _modificationTime;
    private readonly byte[] _header = new byte[BlockSize];

    public UstarWriter(Stream output, int userId, int groupId, long modificationTimeSeconds)
    {
        _output = output;
        _userId = userId;
        _groupId = groupId;
        _modificationTime = modificationTimeSeconds;
    }

    /// <summary>Writes a directory entry; <paramref name="name"/> gets its trailing slash here.</summary>
    public Task WriteDirectoryAsync(string name, CancellationToken cancellationToken)
        => WriteDirectoryAsync(name, metadata: null, cancellationToken);

    /// <summary>Writes a directory entry with mode 0755 unless <paramref name="metadata"/> sets one.</summary>
    public Task WriteDirectoryAsync(string name, LayerFileMetadata? metadata, CancellationToken cancellationToken)
        => WriteHeaderAsync(name + "/", TarTypeFlag.Directory, ModeOrDefault(metadata, 0b111_101_101), size: 0, linkName: null, metadata, cancellationToken);

    public Task WriteSymlinkAsync(string name, string target, CancellationToken cancellationToken)
        => WriteSymlinkAsync(name, target, metadata: null, cancellationToken);

    /// <summary>Writes a symlink with mode 0777, as Linux reports every symlink; only the owner and time of <paramref name="metadata"/> apply.</summary>
    public Task WriteSymlinkAsync(string name, string target, LayerFileMetadata? metadata, CancellationToken cancellationToken)
        => WriteHeaderAsync(name, TarTypeFlag.Symlink, 0b111_111_111, size: 0, target, metadata, cancellationToken);

    /// <summary>Writes a hard link to <paramref name="target"/>, an archive path written earlier in this stream.</summary>
    public Task WriteHardLinkAsync(string name, string target, int mode, LayerFileMetadata? metadata, CancellationToken cancellationToken)
        => WriteHeaderAsync(name, TarTypeFlag.HardLink, ModeOrDefault(metadata, mode), size: 0, target, metadata, cancellationToken);

    /// <summary>Writes a character or block device or a FIFO, whose header carries the device number and no content.</summary>
    public Task WriteNodeAsync(string name, byte typeFlag, int mode, (int Major, int Minor) device, LayerFileMetadata? metadata, CancellationToken cancellationToken)
        => WriteHeaderAsync(name, typeFlag, ModeOrDefault(metadata, mode), size: 0, linkName: null, metadata, cancellationToken, device);

    /// <summary>
    /// Writes a regular file of exactly <paramref name="length"/> bytes read from <paramref name="content"/>.
    /// </summary>
    /// <exception cref="IOException">The content ended early or went on longer, because the file changed while it was read.</exception>
    public Task WriteFileAsync(string name, int mode, Stream content, long length, string sourcePath, CancellationToken cancellationToken)
        => WriteFileAsync(name, mode, content, length, sourcePath, metadata: null, cancellationToken);

    /// <summary>
    /// Writes a regular file of exactly <paramref name="length"/> bytes, with the owner, time and mode
    /// of <paramref name="metadata"/> where it sets them and <paramref name="mode"/> otherwise.
    /// </summary>
    /// <exception cref="IOException">The content ended early or went on longer, because the file changed while it was read.</exception>
    public async Task WriteFileAsync(string name, int mode, Stream content, long length, string sourcePath, LayerFileMetadata? metadata, CancellationToken cancellationToken)
    {
        await WriteHeaderAsync(name, TarTypeFlag.RegularFile, ModeOrDefault(metadata, mode), length, linkName: null, metadata, cancellationToken).ConfigureAwait(false);

        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            long remaining = length;
            while (remaining > 0)
            {
                int read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw FileChanged(sourcePath, length);
                }

                await _output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                remaining -= read;
            }

            if (await content.ReadAsync(buffer.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) != 0)
            {
                throw FileChanged(sourcePath, length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        await WritePaddingAsync(length, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the two zero blocks that end a tar archive.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        Array.Clear(_header);
        await _output.WriteAsync(_header, cancellationToken).ConfigureAwait(false);
        await _output.WriteAsync(_header, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteHeaderAsync(
        string name, byte typeFlag, int mode, long size, string? linkName, LayerFileMetadata? metadata, CancellationToken cancellationToken, (int Major, int Minor) device = default)
    {
        int userId = metadata?.UserId ?? _userId;
        int groupId = metadata?.GroupId ?? _groupId;
        long modificationTime = metadata?.ModificationTime?.ToUnixTimeSeconds() ?? _modificationTime;

        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        byte[] linkBytes = linkName is null ? [] : Encoding.UTF8.GetBytes(linkName);
        bool nameFits = TarHeaderFields.IsAscii(nameBytes) && TarHeaderFields.TrySplitName(nameBytes, NameFieldSize, PrefixFieldSize, out _);
        bool linkFits = TarHeaderFields.IsAscii(linkBytes) && linkBytes.Length <= NameFieldSize;

        var records = new PaxRecords();
        if (!nameFits)
        {
            records.Add("path", name);
        }

        if (!linkFits)
        {
            records.Add("linkpath", linkName!);
        }

        if (size > MaxOctal11)
        {
            records.Add("size", size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (userId > MaxOctal7)
        {
            records.Add("uid", userId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (groupId > MaxOctal7)
        {
            records.Add("gid", groupId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (!records.IsEmpty)
        {
            byte[] body = records.ToBytes();
            byte[] paxName = TarHeaderFields.ToAsciiFallback(Encoding.UTF8.GetBytes("PaxHeaders/" + LastComponent(name)), NameFieldSize);
            FillHeader(paxName, TarTypeFlag.PaxExtendedHeader, 0b110_100_100, body.Length, [], new HeaderOwner(userId, groupId, modificationTime), default);
            await _output.WriteAsync(_header, cancellationToken).ConfigureAwait(false);
            await _output.WriteAsync(body, cancellationToken).ConfigureAwait(false);
            await WritePaddingAsync(body.Length, cancellationToken).ConfigureAwait(false);
        }

        // Where PAX carries a value, the ustar field gets a readable ASCII stand-in for old readers.
        FillHeader(
            nameFits ? nameBytes : TarHeaderFields.ToAsciiFallback(nameBytes, NameFieldSize),
            typeFlag,
            mode,
            size > MaxOctal11 ? 0 : size,
            linkFits ? linkBytes : TarHeaderFields.ToAsciiFallback(linkBytes, NameFieldSize),
            new HeaderOwner(userId, groupId, modificationTime),
            device);
        await _output.WriteAsync(_header, cancellationToken).ConfigureAwait(false);
    }

    private void FillHeader(byte[] name, byte typeFlag, int mode, long size, byte[] linkName, HeaderOwner owner, (int Major, int Minor) device)
    {
        Span<byte> header = _header;
        header.Clear();

        TarHeaderFields.TrySplitName(name, NameFieldSize, PrefixFieldSize, out int split);
        if (split < 0)
        {
            name.CopyTo(header[..NameFieldSize]);
        }
        else
        {
            name.AsSpan(split + 1).CopyTo(header[..NameFieldSize]);
            name.AsSpan(0, split).CopyTo(header.Slice(345, PrefixFieldSize));
        }

        TarHeaderFields.WriteOctal(header.Slice(100, 8), mode);
        TarHeaderFields.WriteOctal(header.Slice(108, 8), owner.UserId > MaxOctal7 ? 0 : owner.UserId);
        TarHeaderFields.WriteOctal(header.Slice(116, 8), owner.GroupId > MaxOctal7 ? 0 : owner.GroupId);
        TarHeaderFields.WriteOctal(header.Slice(124, 12), size);
        TarHeaderFields.WriteOctal(header.Slice(136, 12), owner.ModificationTime);
        header[156] = typeFlag;
        linkName.CopyTo(header.Slice(157, NameFieldSize));
        "ustar\0"u8.CopyTo(header.Slice(257, 6));
        "00"u8.CopyTo(header.Slice(263, 2));

        // uname and gname stay empty so that the layer does not depend on this machine's user names.
        // devmajor and devminor are 0 for every entry but a device node.
        TarHeaderFields.WriteOctal(header.Slice(329, 8), device.Major);
        TarHeaderFields.WriteOctal(header.Slice(337, 8), device.Minor);
        TarHeaderFields.WriteChecksum(header);
    }

    private async Task WritePaddingAsync(long contentLength, CancellationToken cancellationToken)
    {
        int padding = (int)((BlockSize - (contentLength % BlockSize)) % BlockSize);
        if (padding > 0)
        {
            Array.Clear(_header);
            await _output.WriteAsync(_header.AsMemory(0, padding), cancellationToken).ConfigureAwait(false);
        }
    }

    private static int ModeOrDefault(LayerFileMetadata? metadata, int mode) => metadata?.Mode is { } set ? (int)set : mode;

    private static string LastComponent(string name)
    {
        string trimmed = name.TrimEnd('/');
        return trimmed[(trimmed.LastIndexOf('/') + 1)..];
    }

    private static IOException FileChanged(string sourcePath, long expectedLength)
        => new($"{sourcePath} changed while the layer was being built: expected {expectedLength} bytes. Build the layer again when nothing is writing to the file.");
}

/// <summary>The owner and modification time (in Unix seconds) of one header.</summary>
internal readonly record struct HeaderOwner(int UserId, int GroupId, long ModificationTime);
