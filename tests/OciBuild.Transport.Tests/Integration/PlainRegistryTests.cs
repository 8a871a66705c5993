using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Storage;
using OciBuild.Transport.Registry;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Integration;

[Collection(PlainRegistryCollection.Name)]
public sealed class PlainRegistryTests : IDisposable
{
    private readonly PlainRegistryFixture _registry;
    private readonly TempDirectory _temp = new();

    public PlainRegistryTests(PlainRegistryFixture registry)
    {
        _registry = registry;
    }

    public void Dispose() => _temp.Dispose();

    private RegistryTestClient Connect(long? chunkSize = null)
    {
        var options = new RegistryOptions { TlsVerify = false };
        return new RegistryTestClient(_registry, chunkSize is null ? options : options with { ChunkSize = chunkSize.Value });
    }

    [Fact]
    public async Task Push_result_names_manifest_and_config()
    {
        using var client = Connect();
        var image = TestImage.Create();

        var result = await client.PushAsync(image, "push/result", "1");

        Assert.Equal(image.Manifest.Digest, result.ManifestDigest);
        Assert.Equal(MediaTypes.OciManifest, result.ManifestMediaType);
        Assert.Equal(image.ConfigDescriptor.Digest, result.ConfigDigest);
    }

    [Fact]
    public async Task Pushed_image_matches_skopeo_inspect()
    {
        using var client = Connect();
        var image = TestImage.Create(layerCount: 3);
        await client.PushAsync(image, "push/skopeo", "1");

        var inspected = await Skopeo.InspectAsync("--tls-verify=false", $"docker://{_registry.Address}/push/skopeo:1");

        Assert.Equal(image.Manifest.Digest.ToString(), inspected.Digest);
        Assert.Equal(image.Layers.Select(l => l.Descriptor.Digest.ToString()), inspected.Layers);
    }

    [Fact]
    public async Task Pull_stores_pushed_bytes()
    {
        using var client = Connect();
        var image = TestImage.Create(layerCount: 2);
        await client.PushAsync(image, "pull/bytes", "1");
        var store = new LocalImageStore(Path.Combine(_temp.Path, "store"));

        var stored = await client.PullAsync(store, "pull/bytes", "1");

        Assert.Equal(image.Manifest.Digest, stored.Manifest.Digest);
        Assert.Equal(image.ConfigDescriptor.Digest, stored.Id);
        Assert.Equal([$"{_registry.Address}/pull/bytes:1"], stored.Names);
        Assert.Equal(image.Manifest.Bytes, await store.Blobs.ReadAllAsync(image.Manifest.Digest, CancellationToken.None));
        foreach (var (digest, content) in image.Blobs)
        {
            Assert.Equal(content, await store.Blobs.ReadAllAsync(digest, CancellationToken.None));
        }
    }

    [Fact]
    public async Task Second_push_uploads_no_blob()
    {
        using var client = Connect();
        var image = TestImage.Create(layerCount: 2);
        var first = new CountingDestination(client.Destination("push/twice"));
        var second = new CountingDestination(client.Destination("push/twice"));

        await client.PushAsync(image, first, "1");
        await client.PushAsync(image, second, "2");

        // Two layers and the config.
        Assert.Equal(3, first.Uploads);
        Assert.Equal(0, second.Uploads);
        Assert.Equal(3, client.Logger.Messages(LogLevel.Information).Count(m => m.Contains("already exists")));
    }

    [Fact]
    public async Task Push_to_same_tag_skips_manifest()
    {
        using var client = Connect();
        var image = TestImage.Create(layerCount: 1);
        var first = new CountingDestination(client.Destination("push/same-tag"));
        var second = new CountingDestination(client.Destination("push/same-tag"));
        var otherTag = new CountingDestination(client.Destination("push/same-tag"));

        await client.PushAsync(image, first, "1");
        await client.PushAsync(image, second, "1");
        await client.PushAsync(image, otherTag, "2");

        Assert.Equal(1, first.ManifestWrites);
        Assert.Equal(0, second.ManifestWrites);
        Assert.Equal(1, otherTag.ManifestWrites);
        Assert.Equal(1, client.Logger.Messages(LogLevel.Information).Count(m => m.Contains("is already tagged")));
    }

    [Fact]
    public async Task Copy_between_repositories_mounts_blobs()
    {
        using var client = Connect();
        var image = TestImage.Create(layerCount: 2);
        await client.PushAsync(image, "mount/from", "1");
        var destination = new CountingDestination(client.Destination("mount/to", "1"));

        await new ImageCopier(client.Logger).CopyAsync(client.Source("mount/from", "1"), destination, ["1"], null, CancellationToken.None);

        Assert.Equal(0, destination.Uploads);
        Assert.Equal(3, destination.Mounts);
        Assert.Equal(3, client.Logger.Messages(LogLevel.Information).Count(m => m.Contains("mounted blob") && m.Contains("mount/from")));
        foreach (var digest in image.Blobs.Keys)
        {
            Assert.True(await client.Client.HasBlobAsync("mount/to", digest, CancellationToken.None), $"blob {digest} is not in mount/to");
        }
    }

    [Fact]
    public async Task Mounted_image_reads_back()
    {
        using var client = Connect();
        var image = TestImage.Create();
        await client.PushAsync(image, "mount/source", "1");
        await new ImageCopier(client.Logger).CopyAsync(client.Source("mount/source", "1"), client.Destination("mount/target", "1"), ["1"], null, CancellationToken.None);

        var manifest = await client.Client.GetManifestAsync("mount/target", "1", CancellationToken.None);

        Assert.Equal(image.Manifest.Bytes, manifest.Bytes);
        Assert.Equal(image.Layers[0].Blob, await client.ReadBlobAsync("mount/target", image.Layers[0].Descriptor));
    }

    [Fact]
    public async Task Chunked_upload_stores_blob()
    {
        const int chunkSize = 1024 * 1024;
        using var client = Connect(chunkSize);
        byte[] content = RandomNumberGenerator.GetBytes(chunkSize * 7 / 2);
        var blob = new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = Digest.Compute(content), Size = content.Length };

        await client.Client.UploadBlobAsync("upload/chunked", blob, new MemoryStream(content), CancellationToken.None);

        Assert.True(await client.Client.HasBlobAsync("upload/chunked", blob.Digest, CancellationToken.None));
        Assert.Equal(content, await client.ReadBlobAsync("upload/chunked", blob));
        // Three whole chunks and a half one.
        Assert.Equal(4, client.Logger.Messages(LogLevel.Debug).Count(m => m.StartsWith("PATCH ", StringComparison.Ordinal) && m.EndsWith("-> 202", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Upload_of_chunk_size_sends_one_put()
    {
        using var client = Connect(chunkSize: 1024 * 1024);
        byte[] content = RandomNumberGenerator.GetBytes(1024 * 1024);
        var blob = new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = Digest.Compute(content), Size = content.Length };

        await client.Client.UploadBlobAsync("upload/monolithic", blob, new MemoryStream(content), CancellationToken.None);

        Assert.Equal(content, await client.ReadBlobAsync("upload/monolithic", blob));
        Assert.DoesNotContain(client.Logger.Messages(LogLevel.Debug), m => m.StartsWith("PATCH ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upload_with_wrong_digest_raises()
    {
        using var client = Connect();
        byte[] content = RandomNumberGenerator.GetBytes(1000);
        var blob = new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = Digest.Compute("other content"u8), Size = content.Length };

        var error = await Assert.ThrowsAsync<RegistryException>(
            () => client.Client.UploadBlobAsync("upload/wrong-digest", blob, new MemoryStream(content), CancellationToken.None));

        Assert.Equal(ErrorCodes.RegistryError, error.Code);
        Assert.Equal("DIGEST_INVALID", error.ErrorCode);
        Assert.Contains(blob.Digest.ToString(), error.Message);
    }

    [Fact]
    public async Task Chunked_push_matches_skopeo_inspect()
    {
        using var client = Connect(chunkSize: 256 * 1024);
        var image = TestImage.Create(layerCount: 2, fileSize: 600 * 1024);
        await client.PushAsync(image, "push/chunked", "1");

        var inspected = await Skopeo.InspectAsync("--tls-verify=false", $"docker://{_registry.Address}/push/chunked:1");

        Assert.Equal(image.Manifest.Digest.ToString(), inspected.Digest);
        Assert.Equal(image.Layers.Select(l => l.Descriptor.Digest.ToString()), inspected.Layers);
    }

    [Fact]
    public async Task GetManifest_by_digest_returns_that_manifest()
    {
        using var client = Connect();
        var image = TestImage.Create();
        await client.PushAsync(image, "manifest/by-digest", "1");

        var manifest = await client.Client.GetManifestAsync("manifest/by-digest", image.Manifest.Digest.ToString(), CancellationToken.None);

        Assert.Equal(image.Manifest.Digest, manifest.Digest);
        Assert.Equal(image.Manifest.Bytes, manifest.Bytes);
        Assert.Equal(MediaTypes.OciManifest, manifest.MediaType);
    }

    [Fact]
    public async Task GetManifest_by_digest_rejects_changed_bytes()
    {
        using var client = Connect();
        var image = TestImage.Create();
        await client.PushAsync(image, "manifest/corrupted", "1");
        CorruptStoredBlob(image.Manifest.Digest, TestImage.DescriptionText);

        var error = await Assert.ThrowsAsync<DigestMismatchException>(
            () => client.Client.GetManifestAsync("manifest/corrupted", image.Manifest.Digest.ToString(), CancellationToken.None));

        Assert.Equal(image.Manifest.Digest, error.Expected);
        Assert.Equal(ErrorCodes.DigestMismatch, error.Code);
    }

    [Fact]
    public async Task OpenBlob_rejects_changed_bytes()
    {
        using var client = Connect();
        var image = TestImage.Create();
        await client.PushAsync(image, "blob/corrupted", "1");
        CorruptStoredBlob(image.ConfigDescriptor.Digest, "linux");

        var error = await Assert.ThrowsAsync<DigestMismatchException>(() => client.ReadBlobAsync("blob/corrupted", image.ConfigDescriptor));

        Assert.Equal(image.ConfigDescriptor.Digest, error.Expected);
    }

    [Fact]
    public async Task ListTags_returns_pushed_tags()
    {
        using var client = Connect();
        await client.PushAsync(TestImage.Create(), "tags/list", "1", "2", "latest");

        var tags = await client.Client.ListTagsAsync("tags/list", CancellationToken.None);

        Assert.Equal(["1", "2", "latest"], tags.Order());
    }

    [Fact]
    public async Task ListTags_of_unknown_repository_is_empty()
    {
        using var client = Connect();

        Assert.Empty(await client.Client.ListTagsAsync("tags/never-pushed", CancellationToken.None));
    }

    [Fact]
    public async Task Missing_repository_raises_not_found()
    {
        using var client = Connect();

        var error = await Assert.ThrowsAsync<NotFoundException>(
            () => client.Client.GetManifestAsync("missing/repository", "1", CancellationToken.None));

        Assert.Equal(ErrorCodes.ImageNotFound, error.Code);
        Assert.Contains($"{_registry.Address}/missing/repository:1", error.Message);
    }

    [Fact]
    public async Task Missing_tag_raises_not_found()
    {
        using var client = Connect();
        await client.PushAsync(TestImage.Create(), "missing/tag", "1");

        var error = await Assert.ThrowsAsync<NotFoundException>(
            () => new ImageCopier().CopyAsync(client.Source("missing/tag", "2"), client.Destination("missing/copy"), ["1"], null, CancellationToken.None));

        Assert.Equal(ErrorCodes.ImageNotFound, error.Code);
        Assert.Contains($"{_registry.Address}/missing/tag:2", error.Message);
    }

    [Fact]
    public async Task Missing_blob_raises_not_found()
    {
        using var client = Connect();
        var blob = new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = Digest.Compute("never uploaded"u8), Size = 14 };

        var error = await Assert.ThrowsAsync<NotFoundException>(() => client.ReadBlobAsync("blob/missing", blob));

        Assert.Equal(ErrorCodes.BlobNotFound, error.Code);
    }

    [Fact]
    public async Task TlsVerify_rejects_plain_http()
    {
        // Loopback registries may use plain HTTP by default; turning that off stands in for a remote registry.
        using var client = new RegistryTestClient(_registry, new RegistryOptions { TlsVerify = true, AllowLoopbackPlainHttp = false });

        var error = await Assert.ThrowsAsync<OciException>(
            () => client.Client.GetManifestAsync("tls/required", "1", CancellationToken.None));

        Assert.Equal(ErrorCodes.TlsFailure, error.Code);
        Assert.Contains($"registry {_registry.Address}", error.Message);
        Assert.Contains("--tls-verify=false", error.Message);
        Assert.DoesNotContain(client.Logger.Entries, e => e.Text.Contains("http://", StringComparison.Ordinal));
    }

    /// <summary>Changes one character of <paramref name="marker"/> in the registry's stored copy of a blob, keeping its size.</summary>
    private void CorruptStoredBlob(Digest digest, string marker)
    {
        string path = _registry.GetStoredBlobPath(digest);
        byte[] content = File.ReadAllBytes(path);
        int position = content.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(marker));
        Assert.True(position >= 0, $"\"{marker}\" is not in {path}");
        content[position] ^= 0x20;
        File.WriteAllBytes(path, content);
    }
}
