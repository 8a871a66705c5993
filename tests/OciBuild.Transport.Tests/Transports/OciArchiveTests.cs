using System.Formats.Tar;
using OciBuild.Core.Errors;
using OciBuild.Transport.Archive;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Transports;

public sealed class OciArchiveTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string ArchivePath => Path.Combine(_temp.Path, "image.tar");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Archive_round_trips_image()
    {
        var image = TestImage.Create(layerCount: 2);

        using (var destination = new OciArchiveDestination(ArchivePath))
        {
            await TransportCopies.WriteAsync(image, destination, "1.0");
        }

        using var source = await OciArchiveSource.OpenAsync(ArchivePath, "1.0", CancellationToken.None);
        var read = await TransportCopies.ReadAsync(source);

        Assert.Equal(image.Manifest.Digest, read.Manifest.Digest);
        Assert.Equal(image.ConfigDescriptor.Digest, read.ConfigDigest);
    }

    [Fact]
    public async Task Archive_contains_layout_files_only()
    {
        var image = TestImage.Create(layerCount: 1);

        using (var destination = new OciArchiveDestination(ArchivePath))
        {
            await TransportCopies.WriteAsync(image, destination, "1.0");
        }

        var names = await ReadEntryNamesAsync(ArchivePath);
        Assert.Contains("oci-layout", names);
        Assert.Contains("index.json", names);
        Assert.Contains($"blobs/sha256/{image.Manifest.Digest.Encoded}", names);
        Assert.Contains($"blobs/sha256/{image.Layers[0].Descriptor.Digest.Encoded}", names);
        Assert.DoesNotContain(names, n => n.Contains(".tmp-"));
        Assert.Equal(["image.tar"], Directory.EnumerateFiles(_temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Archive_replaces_existing_file()
    {
        File.WriteAllText(ArchivePath, "not a tar");
        var image = TestImage.Create();

        using (var destination = new OciArchiveDestination(ArchivePath))
        {
            await TransportCopies.WriteAsync(image, destination, "1");
        }

        using var source = await OciArchiveSource.OpenAsync(ArchivePath, "1", CancellationToken.None);
        Assert.Equal(image.Manifest.Digest, (await TransportCopies.ReadAsync(source)).Manifest.Digest);
    }

    [Fact]
    public async Task Source_rejects_file_that_is_not_tar()
    {
        File.WriteAllBytes(ArchivePath, Enumerable.Repeat((byte)0x5A, 2048).ToArray());

        var error = await Assert.ThrowsAsync<OciException>(() => OciArchiveSource.OpenAsync(ArchivePath, null, CancellationToken.None));

        Assert.Equal(ErrorCodes.InvalidImageLayout, error.Code);
    }

    [Fact]
    public async Task Source_rejects_entry_outside_archive()
    {
        await using (var file = File.Create(ArchivePath))
        await using (var writer = new TarWriter(file, TarEntryFormat.Ustar))
        {
            var entry = new UstarTarEntry(TarEntryType.RegularFile, "../escaped") { DataStream = new MemoryStream([1]) };
            await writer.WriteEntryAsync(entry);
        }

        var error = await Assert.ThrowsAsync<OciException>(() => OciArchiveSource.OpenAsync(ArchivePath, null, CancellationToken.None));

        Assert.Equal(ErrorCodes.LayerUnsafe, error.Code);
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "escaped")));
    }

    [Fact]
    public async Task Skopeo_reads_archive()
    {
        var image = TestImage.Create(layerCount: 2);
        using (var destination = new OciArchiveDestination(ArchivePath))
        {
            await TransportCopies.WriteAsync(image, destination, "1.0");
        }

        var inspected = await Skopeo.InspectAsync($"oci-archive:{ArchivePath}:1.0");

        Assert.Equal(image.Manifest.Digest.ToString(), inspected.Digest);
        Assert.Equal(image.Layers.Select(l => l.Descriptor.Digest.ToString()), inspected.Layers);
    }

    [Fact]
    public async Task Archive_reads_what_skopeo_writes()
    {
        var image = TestImage.Create(layerCount: 2);
        string layout = Path.Combine(_temp.Path, "layout");
        await TransportCopies.WriteAsync(image, new Layout.OciLayoutDestination(layout), "1.0");
        string skopeoArchive = Path.Combine(_temp.Path, "skopeo.tar");

        await ExternalTool.RunCheckedAsync("skopeo", "copy", $"oci:{layout}:1.0", $"oci-archive:{skopeoArchive}:copied");
        using var source = await OciArchiveSource.OpenAsync(skopeoArchive, "copied", CancellationToken.None);
        var read = await TransportCopies.ReadAsync(source);

        Assert.Equal(image.Manifest.Digest, read.Manifest.Digest);
        Assert.Equal(image.Config.RootFs.DiffIds, read.Config.RootFs.DiffIds);
    }

    private static async Task<List<string>> ReadEntryNamesAsync(string archivePath)
    {
        var names = new List<string>();
        await using var file = File.OpenRead(archivePath);
        await using var reader = new TarReader(file);
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            names.Add(entry.Name);
        }

        return names;
    }
}
