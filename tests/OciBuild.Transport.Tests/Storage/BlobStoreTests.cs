using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Storage;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Storage;

public sealed class BlobStoreTests : IDisposable
{
    private static readonly byte[] Content = "the expected blob content"u8.ToArray();
    private static readonly Digest ContentDigest = Digest.Compute(Content);

    private readonly TempDirectory _temp = new();
    private readonly BlobStore _blobs;

    public BlobStoreTests()
    {
        _blobs = new BlobStore(_temp.Path);
    }

    private string BlobsDirectory => Path.Combine(_temp.Path, "blobs", "sha256");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task PutAsync_then_Open_returns_content()
    {
        await _blobs.PutAsync(ContentDigest, Content, CancellationToken.None);

        using var stream = _blobs.Open(ContentDigest, Content.Length);
        using var read = new MemoryStream();
        await stream.CopyToAsync(read);

        Assert.Equal(Content, read.ToArray());
    }

    [Fact]
    public async Task PutAsync_stores_blob_under_digest()
    {
        await _blobs.PutAsync(ContentDigest, Content, CancellationToken.None);

        Assert.Equal(Content, File.ReadAllBytes(Path.Combine(BlobsDirectory, ContentDigest.Encoded)));
    }

    [Fact]
    public async Task PutAsync_with_wrong_content_raises()
    {
        var error = await Assert.ThrowsAsync<DigestMismatchException>(
            () => _blobs.PutAsync(ContentDigest, "other content"u8.ToArray(), CancellationToken.None));

        Assert.Equal(ContentDigest, error.Expected);
        Assert.Equal(Digest.Compute("other content"u8), error.Actual);
    }

    [Fact]
    public async Task PutAsync_with_wrong_content_leaves_no_file()
    {
        await Assert.ThrowsAsync<DigestMismatchException>(
            () => _blobs.PutAsync(ContentDigest, "other content"u8.ToArray(), CancellationToken.None));

        Assert.False(_blobs.Contains(ContentDigest));
        Assert.Empty(Directory.EnumerateFileSystemEntries(BlobsDirectory));
    }

    [Fact]
    public async Task PutAsync_with_failing_stream_leaves_no_file()
    {
        var failing = new FailingStream(Content[..10]);

        await Assert.ThrowsAsync<IOException>(() => _blobs.PutAsync(ContentDigest, failing, CancellationToken.None));

        Assert.Empty(Directory.EnumerateFileSystemEntries(BlobsDirectory));
    }

    [Fact]
    public async Task ReadAllAsync_raises_for_changed_blob()
    {
        await _blobs.PutAsync(ContentDigest, Content, CancellationToken.None);
        File.WriteAllText(Path.Combine(BlobsDirectory, ContentDigest.Encoded), "changed at rest");

        await Assert.ThrowsAsync<DigestMismatchException>(() => _blobs.ReadAllAsync(ContentDigest, CancellationToken.None));
    }

    [Fact]
    public void Open_raises_for_missing_blob()
    {
        var error = Assert.Throws<NotFoundException>(() => _blobs.Open(ContentDigest));

        Assert.Equal(ErrorCodes.BlobNotFound, error.Code);
    }

    [Fact]
    public async Task ReadAllAsync_raises_for_missing_blob()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(() => _blobs.ReadAllAsync(ContentDigest, CancellationToken.None));

        Assert.Equal(ErrorCodes.BlobNotFound, error.Code);
    }

    [Fact]
    public async Task List_skips_files_that_are_not_blobs()
    {
        await _blobs.PutAsync(ContentDigest, Content, CancellationToken.None);
        File.WriteAllText(Path.Combine(BlobsDirectory, ".tmp-leftover"), "partial");

        Assert.Equal([ContentDigest], _blobs.List());
    }

    /// <summary>Returns some bytes, then raises as a broken connection would.</summary>
    private sealed class FailingStream(byte[] start) : MemoryStream(start)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int read = await base.ReadAsync(buffer, cancellationToken);
            return read > 0 ? read : throw new IOException("connection reset");
        }
    }
}
