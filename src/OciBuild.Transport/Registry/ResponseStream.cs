using OciBuild.Core.IO;
namespace OciBuild.Transport.Registry;

/// <summary>A response body that disposes its <see cref="HttpResponseMessage"/> with it, freeing the connection.</summary>
internal sealed class ResponseStream : ReadOnlyStream
{
    private readonly Stream _body;
    private readonly HttpResponseMessage _response;

    public ResponseStream(Stream body, HttpResponseMessage response)
    {
        _body = body;
        _response = response;
    }

    public override long Length => _response.Content.Headers.ContentLength ?? throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => _body.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => _body.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => _body.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => _body.ReadAsync(buffer, offset, count, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body.Dispose();
            _response.Dispose();
        }

        base.Dispose(disposing);
    }
}
