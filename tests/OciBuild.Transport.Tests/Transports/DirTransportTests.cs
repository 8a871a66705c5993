using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Transport.Dir;
using OciBuild.Transport.Layout;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Transports;

public sealed class DirTransportTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string DirPath => Path.Combine(_temp.Path, "image");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Dir_round_trips_image()
    {
        var image = TestImage.Create(layerCount: 2);

        await TransportCopies.WriteAsync(image, new DirImageDestination(DirPath), "");
        var read = await TransportCopies.ReadAsync(new DirImageSource(DirPath));

        Assert.Equal(image.Manifest.Bytes, read.Manifest.Bytes);
        Assert.Equal(image.ConfigDescriptor.Digest, read.ConfigDigest);
    }

    [Fact]
    public async Task Dir_names_blobs_by_hex_digest()
    {
        var image = TestImage.Create(layerCount: 1);

        await TransportCopies.WriteAsync(image, new DirImageDestination(DirPath), "");

        var files = Directory.EnumerateFiles(DirPath).Select(Path.GetFileName).Order().ToList();
        string[] expected = ["manifest.json", "version", image.ConfigDescriptor.Digest.Encoded, image.Layers[0].Descriptor.Digest.Encoded];
        Assert.Equal(expected.Order(), files);
        Assert.Equal("Directory Transport Version: 1.1\n", File.ReadAllText(Path.Combine(DirPath, "version")));
    }

    [Fact]
    public async Task Dir_replaces_earlier_image()
    {
        var first = TestImage.Create();
        var second = TestImage.Create();

        await TransportCopies.WriteAsync(first, new DirImageDestination(DirPath), "");
        await TransportCopies.WriteAsync(second, new DirImageDestination(DirPath), "");

        Assert.False(File.Exists(Path.Combine(DirPath, first.ConfigDescriptor.Digest.Encoded)));
        Assert.Equal(second.Manifest.Digest, (await TransportCopies.ReadAsync(new DirImageSource(DirPath))).Manifest.Digest);
    }

    [Fact]
    public async Task Destination_rejects_unrelated_folder()
    {
        Directory.CreateDirectory(DirPath);
        File.WriteAllText(Path.Combine(DirPath, "notes.txt"), "keep me");

        var error = await Assert.ThrowsAsync<OciException>(() => TransportCopies.WriteAsync(TestImage.Create(), new DirImageDestination(DirPath), ""));

        Assert.Equal(ErrorCodes.InvalidImageLayout, error.Code);
        Assert.True(File.Exists(Path.Combine(DirPath, "notes.txt")));
    }

    [Fact]
    public async Task Source_detects_corrupted_blob()
    {
        var image = TestImage.Create(layerCount: 1);
        await TransportCopies.WriteAsync(image, new DirImageDestination(DirPath), "");
        string layerPath = Path.Combine(DirPath, image.Layers[0].Descriptor.Digest.Encoded);
        byte[] content = File.ReadAllBytes(layerPath);
        content[10] ^= 0xFF;
        File.WriteAllBytes(layerPath, content);

        await Assert.ThrowsAsync<DigestMismatchException>(() => TransportCopies.ReadAsync(new DirImageSource(DirPath)));
    }

    [Fact]
    public async Task Skopeo_reads_dir()
    {
        var image = TestImage.Create(layerCount: 2);
        await TransportCopies.WriteAsync(image, new DirImageDestination(DirPath), "");
        string copy = Path.Combine(_temp.Path, "copy");

        var inspected = await Skopeo.InspectAsync($"dir:{DirPath}");
        await ExternalTool.RunCheckedAsync("skopeo", "copy", $"dir:{DirPath}", $"oci:{copy}:copied");

        Assert.Equal(image.Manifest.Digest.ToString(), inspected.Digest);
        Assert.Equal(image.Manifest.Digest, (await TransportCopies.ReadAsync(new OciLayoutSource(copy, "copied"))).Manifest.Digest);
    }

    [Fact]
    public async Task Dir_reads_what_skopeo_writes()
    {
        var image = TestImage.Create(layerCount: 2);
        string layout = Path.Combine(_temp.Path, "layout");
        await TransportCopies.WriteAsync(image, new OciLayoutDestination(layout), "1.0");

        await ExternalTool.RunCheckedAsync("skopeo", "copy", $"oci:{layout}:1.0", $"dir:{DirPath}");
        var read = await TransportCopies.ReadAsync(new DirImageSource(DirPath));

        Assert.Equal(image.Manifest.Digest, read.Manifest.Digest);
        Assert.Equal(image.Config.RootFs.DiffIds, read.Config.RootFs.DiffIds);
    }

    [Fact]
    public async Task Dir_reads_index_skopeo_writes()
    {
        var amd64 = TestImage.Create(platform: new Platform { Architecture = "amd64", Os = "linux" });
        var arm64 = TestImage.Create(platform: new Platform { Architecture = "arm64", Os = "linux" });
        string layout = Path.Combine(_temp.Path, "layout");
        var index = await TransportCopies.WriteIndexAsync(layout, "multi", amd64, arm64);

        await ExternalTool.RunCheckedAsync("skopeo", "copy", "--all", $"oci:{layout}:multi", $"dir:{DirPath}");
        var source = new DirImageSource(DirPath);
        var top = await source.GetManifestAsync(null, CancellationToken.None);
        var read = await TransportCopies.ReadAsync(source);

        Assert.Equal(index.Digest, top.Digest);
        Assert.Equal(amd64.Manifest.Digest, read.Manifest.Digest);
    }
}
