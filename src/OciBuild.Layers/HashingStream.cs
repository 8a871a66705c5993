using System.Security.Cryptography;
using OciBuild.Core;

namespace OciBuild.Layers;

/// <summary>
/// A forward-only stream that passes bytes through to another stream and feeds them to a sha256 hash
/// on the way, so a digest is known after one pass without keeping the content. It either reads or
/// writes, depending on which constructor made it, and never disposes the inner stream.
/// </summary>
public sealed class HashingStream : Stream
{
    private readonly Stream _inner;
    private readonly bool _writes;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    private HashingStream(Stream inner, bool writes)
    {
        _inner = inner;
        _writes = writes;
    }

    /// <summary>Number of bytes that passed through.</summary>
    public long BytesHashed { get; private set; }

    public static HashingStream ForReading(Stream inner) => new(inner, writes: false);

    public static HashingStream ForWriting(Stream inner) => new(inner, writes: true);

    public override bool CanRead => !_writes;

    public override bool CanWrite => _writes;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesHashed;
        set => throw new NotSupportedException();
    }

    /// <summary>Returns the digest of every byte that passed through so far.</summary>
    public Digest GetDigest() => Digest.FromSha256Hash(_hash.GetCurrentHash());

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        EnsureReads();
        int read = _inner.Read(buffer);
        Append(buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureReads();
        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Append(buffer.Span[..read]);
        return read;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureWrites();
        Append(buffer);
        _inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureWrites();
        Append(buffer.Span);
        return _inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        _hash.AppendData(bytes);
        BytesHashed += bytes.Length;
    }

    private void EnsureReads()
    {
        if (_writes)
        {
            throw new NotSupportedException("this hashing stream was created for writing");
        }
    }

    private void EnsureWrites()
    {
        if (!_writes)
        {
            throw new NotSupportedException("this hashing stream was created for reading");
        }
    }
}
