using System.Security.Cryptography;
using OciBuild.Core;
using OciBuild.Core.Errors;
using ZstdSharp;

namespace OciBuild.Layers.Tests;

/// <summary>Layers that <see cref="LayerBuilder"/> compresses with zstd or with a numeric gzip level.</summary>
public sealed class ZstdLayerBuilderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Zstd_layer_has_same_tar_as_gzip()
    {
        var files = LayerFileSet.FromDirectory(CreateCompressibleFolder());

        var (gzip, _) = await LayerBuilderTests.BuildAsync(files, new LayerOptions());
        var (zstd, zstdBytes) = await LayerBuilderTests.BuildAsync(files, new LayerOptions { Compression = LayerCompressionFormat.Zstd });

        Assert.Equal(MediaTypes.OciLayerZstd, zstd.MediaType);
        Assert.Equal(gzip.DiffId, zstd.DiffId);
        Assert.NotEqual(gzip.Digest, zstd.Digest);
        Assert.Equal(zstdBytes.LongLength, zstd.Size);
        Assert.Equal(Digest.FromSha256Hash(SHA256.HashData(zstdBytes)), zstd.Digest);
        Assert.Equal(zstd.DiffId, Digest.FromSha256Hash(SHA256.HashData(Unzstd(zstdBytes))));
    }

    [Fact]
    public async Task Zstd_layer_extracts_with_our_extractor()
    {
        var files = LayerFileSet.FromDirectory(CreateCompressibleFolder());
        var (layer, bytes) = await LayerBuilderTests.BuildAsync(files, new LayerOptions { Compression = LayerCompressionFormat.Zstd });
        string root = _temp.Combine("rootfs");

        var diffId = await LayerExtractor.ExtractAsync(new MemoryStream(bytes), layer.MediaType, root, "zstd-test", CancellationToken.None);

        Assert.Equal(layer.DiffId, diffId);
        Assert.Equal(Repeated(), File.ReadAllText(Path.Combine(root, "app", "text.txt")));
    }

    [Fact]
    public async Task Zstd_is_reproducible()
    {
        var files = LayerFileSet.FromDirectory(CreateCompressibleFolder());
        var options = new LayerOptions { Compression = LayerCompressionFormat.Zstd, CompressionLevelNumber = 7 };

        var (_, first) = await LayerBuilderTests.BuildAsync(files, options);
        var (_, second) = await LayerBuilderTests.BuildAsync(files, options);

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Zstd_level_changes_blob_not_diff_id()
    {
        var files = LayerFileSet.FromDirectory(CreateCompressibleFolder());

        var (fast, fastBytes) = await LayerBuilderTests.BuildAsync(files, new LayerOptions { Compression = LayerCompressionFormat.Zstd, CompressionLevelNumber = 1 });
        var (small, smallBytes) = await LayerBuilderTests.BuildAsync(files, new LayerOptions { Compression = LayerCompressionFormat.Zstd, CompressionLevelNumber = 19 });

        Assert.Equal(fast.DiffId, small.DiffId);
        Assert.NotEqual(fast.Digest, small.Digest);
        Assert.True(smallBytes.Length < fastBytes.Length, $"level 19 gave {smallBytes.Length} bytes, level 1 {fastBytes.Length}");
    }

    [Fact]
    public async Task Gzip_numeric_level_changes_blob()
    {
        var files = LayerFileSet.FromDirectory(CreateCompressibleFolder());

        var (fast, fastBytes) = await LayerBuilderTests.BuildAsync(files, new LayerOptions { CompressionLevelNumber = 1 });
        var (small, smallBytes) = await LayerBuilderTests.BuildAsync(files, new LayerOptions { CompressionLevelNumber = 9 });

        Assert.Equal(MediaTypes.OciLayerGzip, small.MediaType);
        Assert.Equal(fast.DiffId, small.DiffId);
        Assert.True(smallBytes.Length < fastBytes.Length, $"level 9 gave {smallBytes.Length} bytes, level 1 {fastBytes.Length}");
    }

    [Theory]
    [InlineData(LayerCompressionFormat.Gzip, 0)]
    [InlineData(LayerCompressionFormat.Gzip, 10)]
    [InlineData(LayerCompressionFormat.Zstd, 0)]
    [InlineData(LayerCompressionFormat.Zstd, 23)]
    public async Task Level_out_of_range_is_rejected(LayerCompressionFormat format, int level)
    {
        var options = new LayerOptions { Compression = format, CompressionLevelNumber = level };

        var error = await Assert.ThrowsAsync<OciException>(() => LayerBuilderTests.BuildAsync([], options));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains($"compression level {level}", error.Message, StringComparison.Ordinal);
    }

    private static string Repeated() => string.Concat(Enumerable.Range(0, 4000).Select(i => $"line {i % 97} of a compressible file\n"));

    private string CreateCompressibleFolder()
    {
        _temp.WriteFile("source/text.txt", Repeated());
        byte[] mixed = new byte[200_000];
        new Random(42).NextBytes(mixed.AsSpan(0, 20_000));
        File.WriteAllBytes(_temp.Combine("source/mixed.bin"), mixed);
        return _temp.Combine("source");
    }

    private static byte[] Unzstd(byte[] blob)
    {
        using var decompressed = new MemoryStream();
        using (var zstd = new DecompressionStream(new MemoryStream(blob)))
        {
            zstd.CopyTo(decompressed);
        }

        return decompressed.ToArray();
    }
}
