using System.Text.Json;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Transport.Layout;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Transports;

public sealed class OciLayoutTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string LayoutPath => Path.Combine(_temp.Path, "layout");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Layout_round_trips_image()
    {
        var image = TestImage.Create(layerCount: 3);

        await TransportCopies.WriteAsync(image, new OciLayoutDestination(LayoutPath), "1.0");
        var read = await TransportCopies.ReadAsync(new OciLayoutSource(LayoutPath, "1.0"));

        Assert.Equal(image.Manifest.Digest, read.Manifest.Digest);
        Assert.Equal(image.Manifest.Bytes, read.Manifest.Bytes);
        Assert.Equal(image.ConfigDescriptor.Digest, read.ConfigDigest);
    }

    [Fact]
    public async Task Layout_has_marker_and_named_index_entry()
    {
        var image = TestImage.Create();

        await TransportCopies.WriteAsync(image, new OciLayoutDestination(LayoutPath), "app");

        using var marker = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(LayoutPath, "oci-layout")));
        Assert.Equal("1.0.0", marker.RootElement.GetProperty("imageLayoutVersion").GetString());
        var index = OciJson.Deserialize<ImageIndex>(File.ReadAllBytes(Path.Combine(LayoutPath, "index.json")), "index");
        Assert.Equal(MediaTypes.OciIndex, index.MediaType);
        var entry = Assert.Single(index.Manifests);
        Assert.Equal(image.Manifest.Digest, entry.Digest);
        Assert.Equal("app", entry.Annotations![OciLayout.RefNameAnnotation]);
        Assert.True(File.Exists(Path.Combine(LayoutPath, "blobs", "sha256", image.ConfigDescriptor.Digest.Encoded)));
        Assert.Empty(Directory.EnumerateFiles(LayoutPath, ".tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Layout_keeps_several_tags()
    {
        var first = TestImage.Create();
        var second = TestImage.Create();
        var destination = new OciLayoutDestination(LayoutPath);

        await TransportCopies.WriteAsync(first, destination, "a", "b");
        await TransportCopies.WriteAsync(second, destination, "c");

        Assert.Equal(first.Manifest.Digest, (await TransportCopies.ReadAsync(new OciLayoutSource(LayoutPath, "a"))).Manifest.Digest);
        Assert.Equal(first.Manifest.Digest, (await TransportCopies.ReadAsync(new OciLayoutSource(LayoutPath, "b"))).Manifest.Digest);
        Assert.Equal(second.Manifest.Digest, (await TransportCopies.ReadAsync(new OciLayoutSource(LayoutPath, "c"))).Manifest.Digest);
    }

    [Fact]
    public async Task Layout_moves_rewritten_tag()
    {
        var first = TestImage.Create();
        var second = TestImage.Create();

        await TransportCopies.WriteAsync(first, new OciLayoutDestination(LayoutPath), "latest");
        await TransportCopies.WriteAsync(second, new OciLayoutDestination(LayoutPath), "latest");

        var index = OciJson.Deserialize<ImageIndex>(File.ReadAllBytes(Path.Combine(LayoutPath, "index.json")), "index");
        var entry = Assert.Single(index.Manifests);
        Assert.Equal(second.Manifest.Digest, entry.Digest);
    }

    [Fact]
    public async Task Source_without_reference_needs_single_image()
    {
        var destination = new OciLayoutDestination(LayoutPath);
        await TransportCopies.WriteAsync(TestImage.Create(), destination, "a");
        await TransportCopies.WriteAsync(TestImage.Create(), destination, "b");

        var error = await Assert.ThrowsAsync<OciException>(() => new OciLayoutSource(LayoutPath, null).GetManifestAsync(null, CancellationToken.None));

        Assert.Equal(ErrorCodes.AmbiguousImage, error.Code);
        Assert.Contains("a, b", error.Message);
    }

    [Fact]
    public async Task Source_reads_untagged_single_image()
    {
        var image = TestImage.Create();
        await TransportCopies.WriteAsync(image, new OciLayoutDestination(LayoutPath), "");

        var read = await TransportCopies.ReadAsync(new OciLayoutSource(LayoutPath, null));

        Assert.Equal(image.Manifest.Digest, read.Manifest.Digest);
    }

    [Fact]
    public async Task Source_reports_missing_reference()
    {
        await TransportCopies.WriteAsync(TestImage.Create(), new OciLayoutDestination(LayoutPath), "1.0");

        var error = await Assert.ThrowsAsync<NotFoundException>(() => new OciLayoutSource(LayoutPath, "2.0").GetManifestAsync(null, CancellationToken.None));

        Assert.Equal(ErrorCodes.ImageNotFound, error.Code);
        Assert.Contains("1.0", error.Message);
    }

    [Fact]
    public async Task Source_rejects_folder_without_layout()
    {
        Directory.CreateDirectory(LayoutPath);

        var error = await Assert.ThrowsAsync<OciException>(() => new OciLayoutSource(LayoutPath, null).GetManifestAsync(null, CancellationToken.None));

        Assert.Equal(ErrorCodes.InvalidImageLayout, error.Code);
        Assert.Contains("oci-layout", error.Message);
    }

    [Fact]
    public async Task Source_detects_corrupted_layer()
    {
        var image = TestImage.Create();
        await TransportCopies.WriteAsync(image, new OciLayoutDestination(LayoutPath), "1");
        string layerPath = Path.Combine(LayoutPath, "blobs", "sha256", image.Layers[0].Descriptor.Digest.Encoded);
        byte[] content = File.ReadAllBytes(layerPath);
        content[^1] ^= 0xFF;
        File.WriteAllBytes(layerPath, content);

        var error = await Assert.ThrowsAsync<DigestMismatchException>(() => TransportCopies.ReadAsync(new OciLayoutSource(LayoutPath, "1")));

        Assert.Equal(image.Layers[0].Descriptor.Digest, error.Expected);
    }

    [Fact]
    public async Task Destination_rejects_wrong_blob_content()
    {
        var destination = new OciLayoutDestination(LayoutPath);
        var blob = new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = Digest.Compute([1, 2, 3]), Size = 3 };

        await Assert.ThrowsAsync<DigestMismatchException>(() => destination.PutBlobAsync(blob, new MemoryStream([4, 5, 6]), CancellationToken.None));

        Assert.False(File.Exists(Path.Combine(LayoutPath, "blobs", "sha256", blob.Digest.Encoded)));
        Assert.Empty(Directory.EnumerateFiles(LayoutPath, ".tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Source_resolves_entry_that_is_index()
    {
        var amd64 = TestImage.Create(platform: new Platform { Architecture = "amd64", Os = "linux" });
        var arm64 = TestImage.Create(platform: new Platform { Architecture = "arm64", Os = "linux" });
        var index = await TransportCopies.WriteIndexAsync(LayoutPath, "multi", amd64, arm64);

        var layoutSource = new OciLayoutSource(LayoutPath, "multi");
        var top = await layoutSource.GetManifestAsync(null, CancellationToken.None);
        var read = await TransportCopies.ReadAsync(layoutSource);

        Assert.True(top.IsIndex);
        Assert.Equal(index.Digest, top.Digest);
        Assert.Equal(amd64.Manifest.Digest, read.Manifest.Digest);
    }

    [Fact]
    public async Task Skopeo_reads_layout()
    {
        var image = TestImage.Create(layerCount: 2);
        var destination = new OciLayoutDestination(LayoutPath);
        await TransportCopies.WriteAsync(image, destination, "1.0");
        await TransportCopies.WriteAsync(TestImage.Create(), destination, "other");

        var inspected = await Skopeo.InspectAsync($"oci:{LayoutPath}:1.0");

        Assert.Equal(image.Manifest.Digest.ToString(), inspected.Digest);
        Assert.Equal(image.Layers.Select(l => l.Descriptor.Digest.ToString()), inspected.Layers);
    }

    [Fact]
    public async Task Layout_reads_what_skopeo_writes()
    {
        var image = TestImage.Create(layerCount: 2);
        await TransportCopies.WriteAsync(image, new OciLayoutDestination(LayoutPath), "1.0");
        string skopeoLayout = Path.Combine(_temp.Path, "skopeo-layout");

        await ExternalTool.RunCheckedAsync("skopeo", "copy", $"oci:{LayoutPath}:1.0", $"oci:{skopeoLayout}:copied");
        var read = await TransportCopies.ReadAsync(new OciLayoutSource(skopeoLayout, "copied"));

        Assert.Equal(image.Manifest.Digest, read.Manifest.Digest);
        Assert.Equal(image.Config.RootFs.DiffIds, read.Config.RootFs.DiffIds);
    }

    [Fact]
    public async Task Umoci_unpacks_layout()
    {
        var image = TestImage.Create(layerCount: 2);
        await TransportCopies.WriteAsync(image, new OciLayoutDestination(LayoutPath), "1.0");
        string bundle = Path.Combine(_temp.Path, "bundle");

        string tags = await ExternalTool.RunCheckedAsync("umoci", "ls", "--layout", LayoutPath);
        await ExternalTool.RunCheckedAsync("umoci", "unpack", "--image", $"{LayoutPath}:1.0", bundle);

        Assert.Equal("1.0", tags.Trim());
        Assert.True(File.Exists(Path.Combine(bundle, "rootfs", "layer-0.bin")));
        Assert.True(File.Exists(Path.Combine(bundle, "rootfs", "layer-1.bin")));
    }
}
