using OciBuild.Core;
using OciBuild.Core.Errors;
using ZstdSharp;

namespace OciBuild.Layers.Tests;

/// <summary>Compressed layers: zstd, gzip written in several members, and blobs whose content contradicts their media type.</summary>
public sealed class CompressionTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _root;

    public CompressionTests()
    {
        _root = _temp.Combine("rootfs");
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Zstd_layer_extracts()
    {
        byte[] tar = TestTar.Create(TestTar.File("etc/hello.txt", "zstd content"), TestTar.Symlink("hello", "etc/hello.txt"));

        var diffId = await ExtractAsync(Zstd(tar), MediaTypes.OciLayerZstd);

        Assert.Equal(TestTar.Sha256(tar), diffId);
        Assert.Equal("zstd content", File.ReadAllText(Path.Combine(_root, "etc/hello.txt")));
        Assert.Equal("etc/hello.txt", new FileInfo(Path.Combine(_root, "hello")).LinkTarget);
    }

    [Fact]
    public async Task Zstd_with_several_frames_extracts()
    {
        byte[] tar = TestTar.Create(TestTar.File("a.txt", new string('a', 3000)), TestTar.File("b.txt", "bravo"));
        int split = 1536;

        byte[] blob = [.. Zstd(tar[..split]), .. Zstd(tar[split..])];
        var diffId = await ExtractAsync(blob, MediaTypes.OciLayerZstd);

        Assert.Equal(TestTar.Sha256(tar), diffId);
        Assert.Equal(new string('a', 3000), File.ReadAllText(Path.Combine(_root, "a.txt")));
        Assert.Equal("bravo", File.ReadAllText(Path.Combine(_root, "b.txt")));
    }

    [Fact]
    public async Task Zstd_skippable_frame_first_is_accepted()
    {
        byte[] tar = TestTar.Create(TestTar.File("a.txt", "after a skippable frame"));

        // A skippable frame: magic 0x184D2A5E, a 4-byte little-endian length, then that many bytes.
        byte[] skippable = [0x5E, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 1, 2, 3];
        var diffId = await ExtractAsync([.. skippable, .. Zstd(tar)], MediaTypes.OciLayerZstd);

        Assert.Equal(TestTar.Sha256(tar), diffId);
        Assert.Equal("after a skippable frame", File.ReadAllText(Path.Combine(_root, "a.txt")));
    }

    [Fact]
    public async Task Zstd_type_rejects_gzip_content()
    {
        byte[] blob = TestTar.Gzip(TestTar.Create(TestTar.File("a.txt", "alpha")));

        var error = await Assert.ThrowsAsync<OciException>(() => ExtractAsync(blob, MediaTypes.OciLayerZstd));

        Assert.Equal(ErrorCodes.LayerInvalid, error.Code);
        Assert.Contains("declares zstd-compressed content", error.Message, StringComparison.Ordinal);
        Assert.Contains("gzip magic bytes 1F8B", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zstd_type_rejects_plain_tar()
    {
        byte[] blob = TestTar.Create(TestTar.File("a.txt", "alpha"));

        var error = await Assert.ThrowsAsync<OciException>(() => ExtractAsync(blob, MediaTypes.OciLayerZstd));

        Assert.Equal(ErrorCodes.LayerInvalid, error.Code);
        Assert.Contains("layer test-layer has media type " + MediaTypes.OciLayerZstd, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tar_type_rejects_zstd_content()
    {
        byte[] blob = Zstd(TestTar.Create(TestTar.File("a.txt", "alpha")));

        var error = await Assert.ThrowsAsync<OciException>(() => ExtractAsync(blob, MediaTypes.OciLayer));

        Assert.Equal(ErrorCodes.LayerInvalid, error.Code);
        Assert.Contains("zstd frame magic bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Corrupt_zstd_is_invalid_layer()
    {
        byte[] blob = Zstd(TestTar.Create(TestTar.File("a.txt", RandomText(20_000))));
        for (int i = 20; i < blob.Length - 8; i += 97)
        {
            blob[i] ^= 0x5A;
        }

        var error = await Assert.ThrowsAsync<OciException>(() => ExtractAsync(blob, MediaTypes.OciLayerZstd));

        Assert.Equal(ErrorCodes.LayerInvalid, error.Code);
        Assert.Contains("layer test-layer is not a valid " + MediaTypes.OciLayerZstd, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_zstd_is_invalid_layer()
    {
        byte[] blob = Zstd(TestTar.Create(TestTar.File("a.txt", RandomText(20_000))));

        var error = await Assert.ThrowsAsync<OciException>(() => ExtractAsync(blob[..(blob.Length / 2)], MediaTypes.OciLayerZstd));

        Assert.Equal(ErrorCodes.LayerInvalid, error.Code);
    }

    [Fact]
    public async Task Gzip_with_several_members_extracts()
    {
        byte[] tar = TestTar.Create(TestTar.File("a.txt", new string('a', 3000)), TestTar.File("b.txt", "bravo"));
        int split = 1000;

        // Like `cat part1.gz part2.gz`: RFC 1952 allows several members, and gunzip joins them.
        byte[] blob = [.. TestTar.Gzip(tar[..split]), .. TestTar.Gzip(tar[split..2048]), .. TestTar.Gzip(tar[2048..])];
        var diffId = await ExtractAsync(blob, MediaTypes.OciLayerGzip);

        Assert.Equal(TestTar.Sha256(tar), diffId);
        Assert.Equal(new string('a', 3000), File.ReadAllText(Path.Combine(_root, "a.txt")));
        Assert.Equal("bravo", File.ReadAllText(Path.Combine(_root, "b.txt")));
    }

    [Fact]
    public async Task Uncompressed_layer_extracts()
    {
        byte[] tar = TestTar.Create(TestTar.File("plain.txt", "not compressed"));

        var diffId = await ExtractAsync(tar, MediaTypes.OciLayer);

        Assert.Equal(TestTar.Sha256(tar), diffId);
        Assert.Equal("not compressed", File.ReadAllText(Path.Combine(_root, "plain.txt")));
    }

    private Task<Digest> ExtractAsync(byte[] blob, string mediaType)
        => LayerExtractor.ExtractAsync(new MemoryStream(blob), mediaType, _root, "test-layer", CancellationToken.None);

    private static byte[] Zstd(byte[] content)
    {
        using var compressor = new Compressor(3);
        return compressor.Wrap(content).ToArray();
    }

    // Random letters compress poorly, so damage anywhere in the blob lands in compressed data.
    private static string RandomText(int length)
    {
        var random = new Random(7);
        return new string(Enumerable.Range(0, length).Select(_ => (char)('a' + random.Next(26))).ToArray());
    }
}
