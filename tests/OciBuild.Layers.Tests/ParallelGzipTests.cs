using System.IO.Compression;
using System.Security.Cryptography;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Layers.Tests;

/// <summary>Layers written as gzip members of <see cref="LayerOptions.GzipMemberSize"/> tar bytes each, compressed on several workers.</summary>
public sealed class ParallelGzipTests : IDisposable
{
    private const int MemberSize = LayerOptions.MinGzipMemberSize;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Blob_is_same_for_any_worker_count()
    {
        var files = LayerFileSet.FromDirectory(CreateMixedFolder());

        var (one, oneBytes) = await LayerBuilderTests.BuildAsync(files, Options(workers: 1));
        var (two, twoBytes) = await LayerBuilderTests.BuildAsync(files, Options(workers: 2));
        var (eight, eightBytes) = await LayerBuilderTests.BuildAsync(files, Options(workers: 8));

        Assert.True(oneBytes.Length > 4 * MemberSize / 10, $"the blob of {oneBytes.Length} bytes is too small to need several members");
        Assert.Equal(oneBytes, twoBytes);
        Assert.Equal(oneBytes, eightBytes);
        Assert.Equal(one, two);
        Assert.Equal(one, eight);
    }

    [Fact]
    public async Task Members_start_at_fixed_tar_offsets()
    {
        var files = LayerFileSet.FromDirectory(CreateMixedFolder());

        var (layer, bytes) = await LayerBuilderTests.BuildAsync(files, Options(workers: 3));
        byte[] tar = TestTar.Gunzip(bytes);

        Assert.True(tar.Length > 4 * MemberSize, $"the tar of {tar.Length} bytes spans fewer than 5 members");
        Assert.Equal(ExpectedMembers(tar), bytes);
        Assert.Equal(TestTar.Sha256(tar), layer.DiffId);
        Assert.Equal(Digest.FromSha256Hash(SHA256.HashData(bytes)), layer.Digest);
        Assert.Equal(bytes.LongLength, layer.Size);
        Assert.Equal(MediaTypes.OciLayerGzip, layer.MediaType);
    }

    [Fact]
    public async Task Tar_of_exact_member_multiple()
    {
        // The tar holds the "app/" directory header, the file's header, its content and two zero
        // blocks, so this content makes the tar exactly three members long.
        string source = _temp.Combine("exact");
        Directory.CreateDirectory(source);
        File.WriteAllBytes(Path.Combine(source, "data.bin"), MixedBytes(3 * MemberSize - 4 * UstarWriter.BlockSize, seed: 7));

        var (_, bytes) = await LayerBuilderTests.BuildAsync(LayerFileSet.FromDirectory(source), Options(workers: 2));
        byte[] tar = TestTar.Gunzip(bytes);

        Assert.Equal(3 * MemberSize, tar.Length);
        Assert.Equal(ExpectedMembers(tar), bytes);
    }

    [Fact]
    public async Task Empty_layer_is_one_member()
    {
        string source = _temp.Combine("empty");
        Directory.CreateDirectory(source);

        var (layer, bytes) = await LayerBuilderTests.BuildAsync(LayerFileSet.FromDirectory(source), Options(workers: 2));
        byte[] tar = TestTar.Gunzip(bytes);

        Assert.Equal(3 * UstarWriter.BlockSize, tar.Length);
        Assert.Equal(ExpectedMembers(tar), bytes);
        Assert.Equal(TestTar.Sha256(tar), layer.DiffId);
    }

    [Fact]
    public async Task Layer_extracts_to_original_files()
    {
        string source = CreateMixedFolder();
        var (layer, bytes) = await LayerBuilderTests.BuildAsync(LayerFileSet.FromDirectory(source), Options(workers: 2));
        string root = _temp.Combine("rootfs");

        var diffId = await LayerExtractor.ExtractAsync(new MemoryStream(bytes), layer.MediaType, root, "parallel-gzip", CancellationToken.None);

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
        var output = new FailingStream(failAfterBytes: MemberSize / 4);

        var error = await Assert.ThrowsAsync<IOException>(() => LayerBuilder.BuildAsync(files, Options(workers: 2), output, CancellationToken.None));

        Assert.Equal(FailingStream.Message, error.Message);
    }

    [Theory]
    [InlineData(LayerOptions.MinGzipMemberSize - 1)]
    [InlineData(LayerOptions.MaxGzipMemberSize + 1)]
    public async Task Member_size_out_of_range_is_rejected(int memberSize)
    {
        var files = LayerFileSet.FromDirectory(CreateMixedFolder());

        var error = await Assert.ThrowsAsync<OciException>(() => LayerBuilderTests.BuildAsync(files, new LayerOptions { GzipMemberSize = memberSize }));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains($"invalid gzip member size {memberSize} bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains($"use {LayerOptions.MinGzipMemberSize} to {LayerOptions.MaxGzipMemberSize} bytes", error.Message, StringComparison.Ordinal);
    }

    private static LayerOptions Options(int workers)
        => new() { CompressionLevel = CompressionLevel.Fastest, GzipMemberSize = MemberSize, GzipWorkerCount = workers };

    /// <summary>Returns each <see cref="MemberSize"/> slice of <paramref name="tar"/> gzipped on its own, one after another.</summary>
    private static byte[] ExpectedMembers(byte[] tar)
    {
        var blob = new MemoryStream();
        for (int offset = 0; offset < tar.Length; offset += MemberSize)
        {
            using var gzip = new GZipStream(blob, CompressionLevel.Fastest, leaveOpen: true);
            gzip.Write(tar, offset, Math.Min(MemberSize, tar.Length - offset));
        }

        return blob.ToArray();
    }

    /// <summary>Creates files of text and of random bytes, some larger than a member, some smaller.</summary>
    private string CreateMixedFolder()
    {
        string source = _temp.Combine("mixed");
        if (Directory.Exists(source))
        {
            return source;
        }

        Directory.CreateDirectory(Path.Combine(source, "lib"));
        File.WriteAllBytes(Path.Combine(source, "lib", "random.bin"), MixedBytes(2 * MemberSize + 1000, seed: 1));
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

    /// <summary>A write-only stream that accepts some bytes and then fails like a full disk.</summary>
    private sealed class FailingStream(int failAfterBytes) : Stream
    {
        public const string Message = "test output failed";

        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _written;

        public override long Position
        {
            get => _written;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (_written + count > failAfterBytes)
            {
                throw new IOException(Message);
            }

            _written += count;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
