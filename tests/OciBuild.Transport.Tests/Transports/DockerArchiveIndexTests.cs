using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Storage;
using OciBuild.Transport.Archive;
using OciBuild.Transport.Registry;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Transports;

/// <summary>
/// <c>docker-archive:FILE:@INDEX</c>, which reads one image of a multi-image archive by its zero-based
/// position in manifest.json. skopeo writes one image per archive, so the tests merge two archives.
/// </summary>
public sealed class DockerArchiveIndexTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string ArchivePath => Path.Combine(_temp.Path, "two-images.tar");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("docker-archive:/tmp/a.tar:@0", 0)]
    [InlineData("docker-archive:/tmp/a.tar:@1", 1)]
    [InlineData("docker-archive:/tmp/a.tar:@17", 17)]
    public void Parse_reads_archive_index(string text, int index)
    {
        var location = ImageLocation.Parse(text);

        Assert.Equal(TransportKind.DockerArchive, location.Transport);
        Assert.Equal("/tmp/a.tar", location.Path);
        Assert.Equal(index, location.ArchiveIndex);
        Assert.False(location.HasReference);
        Assert.Equal(text, location.ToString());
    }

    [Theory]
    [InlineData("docker-archive:/tmp/a.tar:@")]
    [InlineData("docker-archive:/tmp/a.tar:@-1")]
    [InlineData("docker-archive:/tmp/a.tar:@1x")]
    [InlineData("docker-archive:/tmp/a.tar:@+1")]
    [InlineData("docker-archive:/tmp/a.tar:@99999999999")]
    public void Parse_rejects_invalid_index(string text)
    {
        var error = Assert.Throws<InvalidReferenceException>(() => ImageLocation.Parse(text));

        Assert.Contains("is not a valid archive index", error.Message);
    }

    [Fact]
    public async Task Index_picks_each_image()
    {
        var (tagged, untagged) = await WriteTwoImageArchiveAsync();

        using var first = await DockerArchiveSource.OpenAsync(ArchivePath, null, 0, "test", CancellationToken.None);
        using var second = await DockerArchiveSource.OpenAsync(ArchivePath, null, 1, "test", CancellationToken.None);

        Assert.Equal(tagged.ConfigDescriptor.Digest, (await TransportCopies.ReadAsync(first)).ConfigDigest);
        Assert.Equal(["localhost/first:1"], first.RepoTags);
        Assert.Equal(untagged.ConfigDescriptor.Digest, (await TransportCopies.ReadAsync(second)).ConfigDigest);
        Assert.Empty(second.RepoTags);
    }

    [Fact]
    public async Task Index_past_end_is_not_found()
    {
        await WriteTwoImageArchiveAsync();

        var error = await Assert.ThrowsAsync<NotFoundException>(() => DockerArchiveSource.OpenAsync(ArchivePath, null, 2, "test", CancellationToken.None));

        Assert.Equal(ErrorCodes.ImageNotFound, error.Code);
        Assert.Contains("test has no image @2: it contains 2 (@0 to @1)", error.Message);
    }

    [Fact]
    public async Task Ambiguous_archive_suggests_index()
    {
        await WriteTwoImageArchiveAsync();

        var error = await Assert.ThrowsAsync<OciException>(() => DockerArchiveSource.OpenAsync(ArchivePath, null, "test", CancellationToken.None));

        Assert.Equal(ErrorCodes.AmbiguousImage, error.Code);
        Assert.Contains(":@INDEX", error.Message);
    }

    [Fact]
    public async Task Context_opens_indexed_location()
    {
        var (_, untagged) = await WriteTwoImageArchiveAsync();
        using var context = new TransportContext(new LocalImageStore(Path.Combine(_temp.Path, "store")), _ => new RegistryOptions(), NullLogger.Instance);

        var source = await context.OpenSourceAsync(ImageLocation.Parse($"docker-archive:{ArchivePath}:@1"), CancellationToken.None);
        using var disposable = (IDisposable)source;

        Assert.Equal(untagged.ConfigDescriptor.Digest, (await TransportCopies.ReadAsync(source)).ConfigDigest);
    }

    [Fact]
    public void Indexed_destination_is_rejected()
    {
        using var context = new TransportContext(new LocalImageStore(Path.Combine(_temp.Path, "store")), _ => new RegistryOptions(), NullLogger.Instance);

        var error = Assert.Throws<OciException>(() => context.OpenDestination(ImageLocation.Parse($"docker-archive:{ArchivePath}:@0")));

        Assert.Equal(ErrorCodes.UnsupportedOperation, error.Code);
        Assert.False(File.Exists(ArchivePath));
    }

    /// <summary>
    /// Writes a tagged and an untagged image into one archive: each goes through our writer alone, then
    /// their files (named by digest, so they cannot collide) and manifest.json entries are merged.
    /// </summary>
    private async Task<(TestImage Tagged, TestImage Untagged)> WriteTwoImageArchiveAsync()
    {
        var tagged = TestImage.Create(layerCount: 2);
        var untagged = TestImage.Create(layerCount: 1, fileSize: 4096);
        string merged = Path.Combine(_temp.Path, "merged");
        Directory.CreateDirectory(merged);
        var entries = new List<JsonElement>();
        foreach (var (image, name, index) in new[] { (tagged, ImageReference.Parse("localhost/first:1"), 0), (untagged, (ImageReference?)null, 1) })
        {
            string single = Path.Combine(_temp.Path, $"single-{index}.tar");
            using (var destination = new DockerArchiveDestination(single, name))
            {
                await TransportCopies.WriteAsync(image, destination, name is null ? "" : "1");
            }

            string unpacked = Path.Combine(_temp.Path, $"single-{index}");
            Directory.CreateDirectory(unpacked);
            await TarFolder.ExtractAsync(single, unpacked, CancellationToken.None);
            entries.AddRange(JsonSerializer.Deserialize<List<JsonElement>>(File.ReadAllBytes(Path.Combine(unpacked, "manifest.json")))!);
            foreach (string file in Directory.EnumerateFiles(unpacked).Where(f => Path.GetFileName(f) != "manifest.json"))
            {
                File.Copy(file, Path.Combine(merged, Path.GetFileName(file)), overwrite: true);
            }
        }

        File.WriteAllText(Path.Combine(merged, "manifest.json"), JsonSerializer.Serialize(entries));
        await TarFolder.WriteAsync(merged, ArchivePath, CancellationToken.None);
        return (tagged, untagged);
    }
}
