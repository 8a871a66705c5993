using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Storage;

namespace OciBuild.Transport.Tests.Storage;

public class VerifyingStreamTests
{
    private static readonly byte[] Content = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
    private static readonly Digest ContentDigest = Digest.Compute(Content);

    private static VerifyingStream Wrap(byte[] content, long expectedSize = 100_000)
        => new(new MemoryStream(content, writable: false), ContentDigest, expectedSize, "test blob");

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    [Theory]
    [InlineData(100_000)]
    [InlineData(-1)]
    public async Task Intact_content_reads_through(long expectedSize)
    {
        using var stream = Wrap(Content, expectedSize);

        Assert.Equal(Content, await ReadToEndAsync(stream));
    }

    [Fact]
    public async Task Flipped_byte_raises()
    {
        byte[] corrupted = Content.ToArray();
        corrupted[54_321] ^= 0x01;
        using var stream = Wrap(corrupted);

        var error = await Assert.ThrowsAsync<DigestMismatchException>(() => ReadToEndAsync(stream));

        Assert.Equal(ContentDigest, error.Expected);
        Assert.Contains("test blob", error.Message);
    }

    [Fact]
    public void Flipped_byte_raises_in_sync_read()
    {
        byte[] corrupted = Content.ToArray();
        corrupted[0] ^= 0x80;
        using var stream = Wrap(corrupted);

        Assert.Throws<DigestMismatchException>(() => stream.CopyTo(Stream.Null));
    }

    [Fact]
    public async Task Short_content_raises()
    {
        using var stream = Wrap(Content[..99_999]);

        var error = await Assert.ThrowsAsync<OciException>(() => ReadToEndAsync(stream));

        Assert.Equal(ErrorCodes.DigestMismatch, error.Code);
        Assert.Contains("expected 100000 bytes but got 99999", error.Message);
    }

    [Fact]
    public async Task Short_content_of_unknown_size_raises()
    {
        using var stream = Wrap(Content[..50_000], expectedSize: -1);

        await Assert.ThrowsAsync<DigestMismatchException>(() => ReadToEndAsync(stream));
    }

    [Fact]
    public async Task Long_content_raises()
    {
        using var stream = Wrap([.. Content, 0]);

        var error = await Assert.ThrowsAsync<OciException>(() => ReadToEndAsync(stream));

        Assert.Equal(ErrorCodes.DigestMismatch, error.Code);
        Assert.Contains("more than the expected 100000 bytes", error.Message);
    }

    [Fact]
    public async Task Empty_read_does_not_end_content()
    {
        using var stream = Wrap(Content);

        int read = await stream.ReadAsync(Memory<byte>.Empty);

        Assert.Equal(0, read);
        Assert.Equal(Content, await ReadToEndAsync(stream));
    }

    [Fact]
    public void Empty_sync_read_does_not_end_content()
    {
        using var stream = Wrap(Content);

        int read = stream.Read(Span<byte>.Empty);

        Assert.Equal(0, read);
        using var rest = new MemoryStream();
        stream.CopyTo(rest);
        Assert.Equal(Content, rest.ToArray());
    }

    [Fact]
    public void Constructor_rejects_sha512()
    {
        var sha512 = Digest.Parse("sha512:" + new string('a', 128));

        Assert.Throws<InvalidDigestException>(() => new VerifyingStream(Stream.Null, sha512, 0, "test blob"));
    }
}
