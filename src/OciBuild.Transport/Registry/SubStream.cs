using OciBuild.Core.IO;
namespace OciBuild.Transport.Registry;

/// <summary>
/// A read-only view of the next <c>length</c> bytes of another stream, so that one chunk of a blob
/// can be sent as a request body without copying it. Disposing it leaves the inner stream open.
/// </summary>
internal sealed class SubStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private long _remaining;

    public SubStream(Stream inner, long length)
    {
        _inner = inner;
        _remaining = length;
    }

    public override int Read(Span<byte> buffer)
    {
        if (_remaining == 0)
        {
            return 0;
        }

        int read = _inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        Consume(read);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining == 0)
        {
            return 0;
        }

        int read = await _inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        Consume(read);
        return read;
    }

    private void Consume(int read)
    {
        if (read == 0)
        {
            throw new EndOfStreamException($"the blob content ended {_remaining} bytes early");
        }

        _remaining -= read;
    }
}
