using OciBuild.Core;
using OciBuild.Core.IO;

namespace OciBuild.Transport;

/// <summary>
/// Reports the bytes read from a blob's content as they pass through, starting with zero when it is
/// created, so that a transfer rate counts from the moment the blob was opened. It does not own the
/// inner stream, which its opener disposes.
/// </summary>
internal sealed class ProgressStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly Descriptor _blob;
    private readonly IProgress<BlobProgress> _progress;
    private long _transferred;

    public ProgressStream(Stream inner, Descriptor blob, IProgress<BlobProgress> progress)
    {
        _inner = inner;
        _blob = blob;
        _progress = progress;
        _progress.Report(new BlobProgress(blob.Digest, 0, blob.Size));
    }

    public override int Read(Span<byte> buffer)
    {
        int read = _inner.Read(buffer);
        Report(read);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Report(read);
        return read;
    }

    private void Report(int read)
    {
        if (read == 0)
        {
            return;
        }

        _transferred += read;

        // A source longer than its descriptor fails the digest check later, so progress stops at the size.
        _progress.Report(new BlobProgress(_blob.Digest, Math.Min(_transferred, _blob.Size), _blob.Size));
    }
}
