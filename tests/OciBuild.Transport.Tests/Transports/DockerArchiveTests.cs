using System.Formats.Tar;
using System.Text.Json;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Transport.Archive;
using OciBuild.Transport.Layout;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Transports;

public sealed class DockerArchiveTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string ArchivePath => Path.Combine(_temp.Path, "image.tar");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Archive_has_uncompressed_layers_named_by_diff_id()
    {
        var image = TestImage.Create(layerCount: 2);

        await WriteAsync(image, ImageReference.Parse("app:1"), "1");

        var files = await ReadEntriesAsync(ArchivePath);
        using var manifest = JsonDocument.Parse(files["manifest.json"]);
        var entry = Assert.Single(manifest.RootElement.EnumerateArray().ToList());
        Assert.Equal($"{image.ConfigDescriptor.Digest.Encoded}.json", entry.GetProperty("Config").GetString());
        Assert.Equal(["docker.io/library/app:1"], entry.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString()));
        var layers = entry.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()!).ToList();
        Assert.Equal(image.Config.RootFs.DiffIds.Select(d => $"{d.Encoded}.tar"), layers);
        foreach (var (layer, diffId) in layers.Zip(image.Config.RootFs.DiffIds))
        {
            Assert.Equal(diffId, Digest.Compute(files[layer]));
        }

        Assert.Equal(image.ConfigBytes, files[$"{image.ConfigDescriptor.Digest.Encoded}.json"]);
    }

    [Fact]
    public async Task Archive_round_trips_image()
    {
        var image = TestImage.Create(layerCount: 3);
        await WriteAsync(image, ImageReference.Parse("localhost/app:2"), "2");

        using var source = await DockerArchiveSource.OpenAsync(ArchivePath, ImageReference.Parse("localhost/app:2"), "test", CancellationToken.None);
        var read = await TransportCopies.ReadAsync(source);

        Assert.Equal(image.ConfigDescriptor.Digest, read.ConfigDigest);
        Assert.Equal(image.Config.RootFs.DiffIds, read.ParsedManifest.Layers.Select(l => l.Digest));
        Assert.All(read.ParsedManifest.Layers, l => Assert.Equal(MediaTypes.OciLayer, l.MediaType));
        Assert.Equal(["localhost/app:2"], source.RepoTags);
    }

    [Fact]
    public async Task Archive_lists_several_tags()
    {
        var image = TestImage.Create();

        await WriteAsync(image, ImageReference.Parse("app"), "1", "latest");

        using var manifest = JsonDocument.Parse((await ReadEntriesAsync(ArchivePath))["manifest.json"]);
        var entry = Assert.Single(manifest.RootElement.EnumerateArray().ToList());
        Assert.Equal(["docker.io/library/app:1", "docker.io/library/app:latest"], entry.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Archive_without_name_is_untagged()
    {
        var image = TestImage.Create();

        await WriteAsync(image, null, "");
        using var source = await DockerArchiveSource.OpenAsync(ArchivePath, null, "test", CancellationToken.None);

        Assert.Empty(source.RepoTags);
        Assert.Equal(image.ConfigDescriptor.Digest, (await TransportCopies.ReadAsync(source)).ConfigDigest);
    }

    [Fact]
    public async Task Destination_rejects_wrong_diff_ids()
    {
        var image = TestImage.Create(layerCount: 2);
        var other = TestImage.Create(layerCount: 2);
        var manifest = image.ParsedManifest with { Config = other.ConfigDescriptor };
        byte[] manifestBytes = OciJson.Serialize(manifest);
        using var destination = new DockerArchiveDestination(ArchivePath, ImageReference.Parse("app:1"));
        foreach (var layer in image.Layers)
        {
            await destination.PutBlobAsync(layer.Descriptor, new MemoryStream(layer.Blob), CancellationToken.None);
        }

        await destination.PutBlobAsync(other.ConfigDescriptor, new MemoryStream(other.ConfigBytes), CancellationToken.None);

        var error = await Assert.ThrowsAsync<OciException>(() => destination.PutManifestAsync(ManifestContent.FromBytes(manifestBytes, null), "1", CancellationToken.None));

        Assert.Equal(ErrorCodes.InvalidConfig, error.Code);
        Assert.Contains(image.Config.RootFs.DiffIds[0].ToString(), error.Message);
        Assert.False(File.Exists(ArchivePath));
    }

    [Fact]
    public async Task Destination_rejects_corrupted_layer()
    {
        var image = TestImage.Create(layerCount: 1);
        var layer = image.Layers[0];
        byte[] corrupted = (byte[])layer.Blob.Clone();
        corrupted[^5] ^= 0xFF;
        using var destination = new DockerArchiveDestination(ArchivePath, null);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => destination.PutBlobAsync(layer.Descriptor, new MemoryStream(corrupted), CancellationToken.None));

        Assert.True(error is OciException or InvalidDataException, error.ToString());
    }

    [Fact]
    public async Task Source_requires_name_for_several_images()
    {
        await WriteAsync(TestImage.Create(), ImageReference.Parse("app:1"), "1");
        string first = Path.Combine(_temp.Path, "first");
        Directory.CreateDirectory(first);
        await TarFolder.ExtractAsync(ArchivePath, first, CancellationToken.None);
        var entries = JsonSerializer.Deserialize<List<JsonElement>>(File.ReadAllBytes(Path.Combine(first, "manifest.json")))!;
        File.WriteAllText(Path.Combine(first, "manifest.json"), JsonSerializer.Serialize(new[] { entries[0], entries[0] }));
        await TarFolder.WriteAsync(first, ArchivePath, CancellationToken.None);

        var error = await Assert.ThrowsAsync<OciException>(() => DockerArchiveSource.OpenAsync(ArchivePath, null, "test", CancellationToken.None));

        Assert.Equal(ErrorCodes.AmbiguousImage, error.Code);
        Assert.Contains("docker.io/library/app:1", error.Message);
    }

    [Fact]
    public async Task Source_reports_unknown_name()
    {
        await WriteAsync(TestImage.Create(), ImageReference.Parse("app:1"), "1");

        var error = await Assert.ThrowsAsync<NotFoundException>(() => DockerArchiveSource.OpenAsync(ArchivePath, ImageReference.Parse("app:2"), "test", CancellationToken.None));

        Assert.Equal(ErrorCodes.ImageNotFound, error.Code);
        Assert.Contains("docker.io/library/app:1", error.Message);
    }

    [Fact]
    public async Task Skopeo_reads_archive()
    {
        var image = TestImage.Create(layerCount: 2);
        await WriteAsync(image, ImageReference.Parse("app:1"), "1");
        string copy = Path.Combine(_temp.Path, "copy");

        var inspected = await Skopeo.InspectAsync($"docker-archive:{ArchivePath}");
        await ExternalTool.RunCheckedAsync("skopeo", "copy", $"docker-archive:{ArchivePath}:app:1", $"oci:{copy}:copied");
        var read = await TransportCopies.ReadAsync(new OciLayoutSource(copy, "copied"));

        // skopeo rewrites the config when it converts to OCI, so only its content is compared.
        Assert.Equal(image.Config.RootFs.DiffIds.Select(d => d.ToString()), inspected.Layers);
        Assert.Equal(image.Config.RootFs.DiffIds, read.Config.RootFs.DiffIds);
        Assert.Equal(image.Config.Config!.Cmd, read.Config.Config!.Cmd);
    }

    [Fact]
    public async Task Buildah_loads_archive()
    {
        var image = TestImage.Create(layerCount: 2);
        await WriteAsync(image, ImageReference.Parse("localhost/loaded:1"), "1");
        string root = Path.Combine(_temp.Path, "buildah-root");
        string runRoot = Path.Combine(_temp.Path, "buildah-run");
        string[] storage = ["--root", root, "--runroot", runRoot, "--storage-driver", "vfs"];

        // buildah stores the image through the same reader and layer checks as podman load.
        string id = await ExternalTool.RunCheckedAsync("buildah", [.. storage, "pull", "--quiet", $"docker-archive:{ArchivePath}"]);
        string names = await ExternalTool.RunCheckedAsync("buildah", [.. storage, "images", "--format", "{{.Name}}:{{.Tag}}"]);

        Assert.Equal(image.ConfigDescriptor.Digest.Encoded, id.Trim());
        Assert.Contains("localhost/loaded:1", names);
    }

    [Fact]
    public async Task Archive_reads_what_skopeo_writes()
    {
        var image = TestImage.Create(layerCount: 2);
        string layout = Path.Combine(_temp.Path, "layout");
        await TransportCopies.WriteAsync(image, new OciLayoutDestination(layout), "1.0");
        string skopeoArchive = Path.Combine(_temp.Path, "skopeo.tar");

        await ExternalTool.RunCheckedAsync("skopeo", "copy", $"oci:{layout}:1.0", $"docker-archive:{skopeoArchive}:team/app:1");
        using var byName = await DockerArchiveSource.OpenAsync(skopeoArchive, ImageReference.Parse("team/app:1"), "test", CancellationToken.None);
        using var only = await DockerArchiveSource.OpenAsync(skopeoArchive, null, "test", CancellationToken.None);
        var read = await TransportCopies.ReadAsync(byName);

        Assert.Equal(image.ConfigDescriptor.Digest, read.ConfigDigest);
        Assert.Equal(image.Config.RootFs.DiffIds, read.Config.RootFs.DiffIds);
        Assert.Equal(image.Config.RootFs.DiffIds, read.ParsedManifest.Layers.Select(l => l.Digest));
        Assert.Equal(image.ConfigDescriptor.Digest, (await TransportCopies.ReadAsync(only)).ConfigDigest);
    }

    [Fact]
    public async Task Source_follows_layer_symlinks()
    {
        // Older docker save output keeps each layer as ID/layer.tar and links a repeated layer to its first copy.
        var image = TestImage.Create(layerCount: 1);
        await WriteAsync(image, ImageReference.Parse("app:1"), "1");
        var files = await ReadEntriesAsync(ArchivePath);
        string layerFile = $"{image.Config.RootFs.DiffIds[0].Encoded}.tar";
        var diffId = image.Config.RootFs.DiffIds[0];
        var config = OciJson.Deserialize<ImageConfig>(image.ConfigBytes, "config");
        config.RootFs.DiffIds = [diffId, diffId];
        byte[] configBytes = OciJson.Serialize(config);
        string manifest = JsonSerializer.Serialize(new[]
        {
            new { Config = "config.json", RepoTags = new[] { "app:1" }, Layers = new[] { "first/layer.tar", "second/layer.tar" } },
        });
        await using (var file = File.Create(ArchivePath))
        await using (var writer = new TarWriter(file, TarEntryFormat.Ustar))
        {
            await writer.WriteEntryAsync(new UstarTarEntry(TarEntryType.RegularFile, "first/layer.tar") { DataStream = new MemoryStream(files[layerFile]) });
            await writer.WriteEntryAsync(new UstarTarEntry(TarEntryType.SymbolicLink, "second/layer.tar") { LinkName = "../first/layer.tar" });
            await writer.WriteEntryAsync(new UstarTarEntry(TarEntryType.RegularFile, "config.json") { DataStream = new MemoryStream(configBytes) });
            await writer.WriteEntryAsync(new UstarTarEntry(TarEntryType.RegularFile, "manifest.json") { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(manifest)) });
        }

        using var source = await DockerArchiveSource.OpenAsync(ArchivePath, null, "test", CancellationToken.None);
        var read = await TransportCopies.ReadAsync(source);

        Assert.Equal(2, read.ParsedManifest.Layers.Count);
        Assert.All(read.ParsedManifest.Layers, l => Assert.Equal(diffId, l.Digest));
        Assert.Equal(Digest.Compute(configBytes), read.ConfigDigest);
    }

    [Fact]
    public async Task Source_rejects_link_outside_archive()
    {
        await using (var file = File.Create(ArchivePath))
        await using (var writer = new TarWriter(file, TarEntryFormat.Ustar))
        {
            await writer.WriteEntryAsync(new UstarTarEntry(TarEntryType.SymbolicLink, "layer.tar") { LinkName = "../../etc/passwd" });
        }

        var error = await Assert.ThrowsAsync<OciException>(() => DockerArchiveSource.OpenAsync(ArchivePath, null, "test", CancellationToken.None));

        Assert.Equal(ErrorCodes.LayerUnsafe, error.Code);
    }

    private async Task WriteAsync(TestImage image, ImageReference? name, params string[] tags)
    {
        using var destination = new DockerArchiveDestination(ArchivePath, name);
        await TransportCopies.WriteAsync(image, destination, tags);
    }

    private static async Task<Dictionary<string, byte[]>> ReadEntriesAsync(string archivePath)
    {
        var files = new Dictionary<string, byte[]>();
        await using var file = File.OpenRead(archivePath);
        await using var reader = new TarReader(file);
        while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
        {
            if (entry.DataStream is not null)
            {
                using var buffer = new MemoryStream();
                await entry.DataStream.CopyToAsync(buffer);
                files[entry.Name] = buffer.ToArray();
            }
        }

        return files;
    }
}
