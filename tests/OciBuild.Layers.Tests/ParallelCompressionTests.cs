using System.IO.Compression;
using System.Security.Cryptography;
using OciBuild.Core;
using OciBuild.Core.Errors;
using ZstdSharp;

namespace OciBuild.Layers.Tests;

/// <summary>Layers compressed on several workers in parts of <see cref="LayerOptions.ParallelPartSize"/> tar bytes: gzip members or zstd frames.</summary>
public sealed class ParallelCompressionTests : IDisposable
{
    private const int PartSize = LayerOptions.MinParallelPartSize;

    private readonly TempDirectory _temp = new();

    public static TheoryData<LayerCompressionFormat> Formats => [LayerCompressionFormat.Gzip, LayerCompressionFormat.Zstd];

    public void Dispose() => _temp.Dispose();

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Blob_is_same_for_any_worker_count(LayerCompressionFormat format)
    {
        var files = LayerFileSet.FromDirectory(CreateMixedFolder());

        var (one, oneBytes) = await LayerBuilderTests.BuildAsync(files, Options(format, workers: 1));
        var (two, twoBytes) = await LayerBuilderTests.BuildAsync(files, Options(format, workers: 2));
        var (eight, eightBytes) = await LayerBuilderTests.BuildAsync(files, Options(format, workers: 8));

        Assert.True(Decompress(format, oneBytes).Length > 4 * PartSize, "the tar spans fewer than 5 parts");
        Assert.Equal(oneBytes, twoBytes);
        Assert.Equal(oneBytes, eightBytes);
        Assert.Equal(one, two);
        Assert.Equal(one, eight);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Parts_start_at_fixed_tar_offsets(LayerCompressionFormat format)
    {
        var files = LayerFileSet.FromDirectory(CreateMixedFolder());

        var (layer, bytes) = await LayerBuilderTests.BuildAsync(files, Options(format, workers: 3));
        byte[] tar = Decompress(format, bytes);

        Assert.True(tar.Length > 4 * PartSize, $"the tar of {tar.Length} bytes spans fewer than 5 parts");
        Assert.Equal(ExpectedParts(format, tar), bytes);
        Assert.Equal(TestTar.Sha256(tar), layer.DiffId);
        Assert.Equal(Digest.FromSha256Hash(SHA256.HashData(bytes)), layer.Digest);
        Assert.Equal(bytes.LongLength, layer.Size);
        Assert.Equal(format == LayerCompressionFormat.Zstd ? MediaTypes.OciLayerZstd : MediaTypes.OciLayerGzip, layer.MediaType);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Tar_of_exact_part_multiple(LayerCompressionFormat format)
    {
        // The tar holds the "app/" directory header, the file's header, its content and two zero
        // blocks, so this content makes the tar exactly three parts long.
        string source = _temp.Combine("exact");
        Directory.CreateDirectory(source);
        File.WriteAllBytes(Path.Combine(source, "data.bin"), MixedBytes(3 * PartSize - 4 * UstarWriter.BlockSize, seed: 7));

        var (_, bytes) = await LayerBuilderTests.BuildAsync(LayerFileSet.FromDirectory(source), Options(format, workers: 2));
        byte[] tar = Decompress(format, bytes);

        Assert.Equal(3 * PartSize, tar.Length);
        Assert.Equal(ExpectedParts(format, tar), bytes);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Empty_layer_is_one_part(LayerCompressionFormat format)
    {
        string source = _temp.Combine("empty");
        Directory.CreateDirectory(source);

        var (layer, bytes) = await LayerBuilderTests.BuildAsync(LayerFileSet.FromDirectory(source), Options(format, workers: 2));
        byte[] tar = Decompress(format, bytes);

        Assert.Equal(3 * UstarWriter.BlockSize, tar.Length);
        Assert.Equal(ExpectedParts(format, tar), bytes);
        Assert.Equal(TestTar.Sha256(tar), layer.DiffId);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Layer_extracts_to_original_files(LayerCompressionFormat format)
    {
        string source = CreateMixedFolder();
        var (layer, bytes) = await LayerBuilderTests.BuildAsync(LayerFileSet.FromDirectory(source), Options(format, workers: 2));
        string root = _temp.Combine("rootfs");

        var diffId = await LayerExtractor.ExtractAsync(new MemoryStream(bytes), layer.MediaType, root, "parallel-parts", CancellationToken.None);

        Assert.Equal(layer.DiffId, diffId);
        Assert.Equal(TestTar.ListTree(source).Select(path => "app/" + path).Prepend("app").Order(StringComparer.Ordinal), TestTar.ListTree(root));
        foreach (string path in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string extracted = Path.Combine(root, "app", Path.GetRelativePath(source, path));
            Assert.True(File.ReadAllBytes(path).AsSpan().SequenceEqual(File.ReadAllBytes(extracted)), $"{extracted} differs from {path}");
        }
    }

    [Fact]
    public async Task Output_error_reaches_caller()
    {
        var files = LayerFileSet.FromDirectory(CreateMixedFolder());
        const string message = "test output failed like a full disk";
        var output = new CallbackStream(writtenBytes =>
        {
            if (writtenBytes > PartSize / 4)
            {
                throw new IOException(message);
            }
        });

        var error = await Assert.ThrowsAsync<IOException>(() => LayerBuilder.BuildAsync(files, Options(LayerCompressionFormat.Gzip, workers: 2), output, CancellationToken.None));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task Cancellation_stops_build()
    {
        var files = LayerFileSet.FromDirectory(CreateMixedFolder());
        using var cancellation = new CancellationTokenSource();
        var output = new CallbackStream(_ => cancellation.Cancel());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LayerBuilder.BuildAsync(files, Options(LayerCompressionFormat.Gzip, workers: 2), output, cancellation.Token));

        Assert.True(output.Writes > 0, "the build was canceled before it wrote a part");
    }

    [Theory]
    [InlineData(LayerOptions.MinParallelPartSize - 1)]
    [InlineData(LayerOptions.MaxParallelPartSize + 1)]
    public async Task Part_size_out_of_range_is_rejected(int partSize)
    {
        var files = LayerFileSet.FromDirectory(CreateMixedFolder());

        var error = await Assert.ThrowsAsync<OciException>(() => LayerBuilderTests.BuildAsync(files, new LayerOptions { ParallelPartSize = partSize }));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains($"invalid parallel compression part size {partSize} bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains($"use {LayerOptions.MinParallelPartSize} to {LayerOptions.MaxParallelPartSize} bytes", error.Message, StringComparison.Ordinal);
    }

    private static LayerOptions Options(LayerCompressionFormat format, int workers)
        => new() { Compression = format, CompressionLevel = CompressionLevel.Fastest, ParallelPartSize = PartSize, CompressionWorkerCount = workers };

    private static byte[] Decompress(LayerCompressionFormat format, byte[] blob)
    {
        if (format == LayerCompressionFormat.Gzip)
        {
            return TestTar.Gunzip(blob);
        }

        using var zstd = new DecompressionStream(new MemoryStream(blob));
        var tar = new MemoryStream();
        zstd.CopyTo(tar);
        return tar.ToArray();
    }

    /// <summary>Returns each <see cref="PartSize"/> slice of <paramref name="tar"/> compressed on its own, one after another.</summary>
    private static byte[] ExpectedParts(LayerCompressionFormat format, byte[] tar)
    {
        var blob = new MemoryStream();
        for (int offset = 0; offset < tar.Length; offset += PartSize)
        {
            using Stream compressor = format == LayerCompressionFormat.Gzip
                ? new GZipStream(blob, CompressionLevel.Fastest, leaveOpen: true)
                : new CompressionStream(blob, LayerOptions.DefaultZstdLevel, leaveOpen: true);
            compressor.Write(tar, offset, Math.Min(PartSize, tar.Length - offset));
        }

        return blob.ToArray();
    }

    /// <summary>Creates files of text and of random bytes, some larger than a part, some smaller.</summary>
    private string CreateMixedFolder()
    {
        string source = _temp.Combine("mixed");
        if (Directory.Exists(source))
        {
            return source;
        }

        Directory.CreateDirectory(Path.Combine(source, "lib"));
        File.WriteAllBytes(Path.Combine(source, "lib", "random.bin"), MixedBytes(2 * PartSize + 1000, seed: 1));
        File.WriteAllText(Path.Combine(source, "lib", "text.txt"), string.Concat(Enumerable.Range(0, 20_000).Select(i => $"line {i}\n")));
        File.WriteAllBytes(Path.Combine(source, "small.bin"), MixedBytes(3000, seed: 2));
        File.WriteAllText(Path.Combine(source, "empty.txt"), "");
        Directory.CreateSymbolicLink(Path.Combine(source, "link"), "lib/text.txt");
        return source;
    }

    /// <summary>Returns bytes that alternate between random runs and repeated runs, so that gzip has both to handle.</summary>
    private static byte[] MixedBytes(int length, int seed)
    {
        var random = new Random(seed);
        byte[] bytes = new byte[length];
        for (int offset = 0; offset < length; offset += 4096)
        {
            var run = bytes.AsSpan(offset, Math.Min(4096, length - offset));
            if ((offset / 4096) % 2 == 0)
            {
                random.NextBytes(run);
            }
            else
            {
                run.Fill((byte)(offset / 4096));
            }
        }

        return bytes;
    }

    /// <summary>A write-only stream that discards what it receives and calls an action with the bytes written so far, which can throw.</summary>
    private sealed class CallbackStream(Action<long> onWrite) : Stream
    {
        private long _writtenBytes;

        public int Writes { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            onWrite(_writtenBytes + count);
            Writes++;
            _writtenBytes += count;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
