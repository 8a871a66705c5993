using System.Security.Cryptography;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Layers;
using OciBuild.Storage;
using OciBuild.Transport.Building;
using OciBuild.Transport.Store;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Building;

public sealed class ImageBuilderTests : IDisposable
{
    private const string BaseName = "registry.test/dotnet/runtime:10.0";
    private static readonly Platform Amd64 = new() { Architecture = "amd64", Os = "linux" };
    private static readonly Platform Arm64 = new() { Architecture = "arm64", Os = "linux", Variant = "v8" };

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Writes a new layer's blob to a file, as the layer builder would, and returns it as a <see cref="NewLayer"/>.</summary>
    private NewLayer WriteNewLayer(string comment = "app files")
    {
        var layer = TestImage.CreateLayer("app/App.dll", RandomNumberGenerator.GetBytes(512));
        string path = Path.Combine(_temp.Path, $"{layer.Descriptor.Digest.Encoded}.tar.gz");
        File.WriteAllBytes(path, layer.Blob);
        return new NewLayer(new BuiltLayer(layer.DiffId, layer.Descriptor.Digest, layer.Descriptor.Size, layer.Descriptor.MediaType), path, comment);
    }

    private static Task<BuiltImage> BuildAsync(IImageSource? baseImage, params NewLayer[] layers)
        => ImageBuilder.BuildAsync(baseImage, baseImage is null ? null : BaseName, Amd64, new ImageSettings(), layers, CancellationToken.None);

    private static async Task<byte[]> ReadBlobAsync(IImageSource source, Descriptor blob)
    {
        await using var stream = await source.OpenBlobAsync(blob, CancellationToken.None);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    [Fact]
    public async Task Resolved_base_builds_same_image()
    {
        var source = new MemoryImageSource(TestImage.Create(layerCount: 2));
        var layer = WriteNewLayer();
        var settings = new ImageSettings { Created = DateTimeOffset.UnixEpoch };

        var inOneStep = await ImageBuilder.BuildAsync(source, BaseName, Amd64, settings, [layer], CancellationToken.None);
        var resolved = await ImageBuilder.ResolveBaseAsync(source, Amd64, CancellationToken.None);
        var inTwoSteps = ImageBuilder.Build(resolved, BaseName, settings, [layer]);

        Assert.Equal(2, resolved.Layers.Count);
        Assert.NotNull(resolved.ManifestDigest);
        Assert.Equal(inOneStep.Manifest.Digest, inTwoSteps.Manifest.Digest);
    }

    [Fact]
    public async Task Manifest_has_oci_media_type()
    {
        var built = await BuildAsync(new MemoryImageSource(TestImage.Create(docker: true)), WriteNewLayer());

        Assert.Equal(MediaTypes.OciManifest, built.Manifest.MediaType);
        Assert.Equal(MediaTypes.OciManifest, OciJson.PeekMediaType(built.Manifest.Bytes));
        Assert.Equal(MediaTypes.OciConfig, built.ParsedManifest.Config.MediaType);
    }

    [Fact]
    public async Task Docker_base_layers_become_oci_layers()
    {
        var baseImage = TestImage.Create(layerCount: 2, docker: true);

        var built = await BuildAsync(new MemoryImageSource(baseImage), WriteNewLayer());

        var baseLayers = built.ParsedManifest.Layers.Take(2).ToList();
        Assert.All(baseLayers, l => Assert.Equal(MediaTypes.OciLayerGzip, l.MediaType));
        Assert.Equal(baseImage.Layers.Select(l => l.Descriptor.Digest), baseLayers.Select(l => l.Digest));
        Assert.Equal(baseImage.Layers.Select(l => l.Descriptor.Size), baseLayers.Select(l => l.Size));
    }

    [Fact]
    public async Task New_layers_follow_base_layers()
    {
        var baseImage = TestImage.Create(layerCount: 2);
        var newLayer = WriteNewLayer();

        var built = await BuildAsync(new MemoryImageSource(baseImage), newLayer);

        Assert.Equal(3, built.ParsedManifest.Layers.Count);
        Assert.Equal(newLayer.Layer.Digest, built.ParsedManifest.Layers[2].Digest);
        Assert.Equal([.. baseImage.Config.RootFs.DiffIds, newLayer.Layer.DiffId], built.Config.RootFs.DiffIds);
    }

    [Fact]
    public async Task Manifest_names_base_image()
    {
        var baseImage = TestImage.Create();

        var built = await BuildAsync(new MemoryImageSource(baseImage), WriteNewLayer());

        var annotations = built.ParsedManifest.Annotations!;
        Assert.Equal(BaseName, annotations[ImageBuilder.BaseNameAnnotation]);
        Assert.Equal(baseImage.Manifest.Digest.ToString(), annotations[ImageBuilder.BaseDigestAnnotation]);
    }

    [Fact]
    public async Task Config_digest_matches_served_bytes()
    {
        var built = await BuildAsync(new MemoryImageSource(TestImage.Create()), WriteNewLayer());

        byte[] config = await ReadBlobAsync(built, built.ParsedManifest.Config);

        Assert.Equal(built.ParsedManifest.Config.Digest, Digest.Compute(config));
        Assert.Equal(built.ParsedManifest.Config.Size, config.LongLength);
        Assert.Equal(built.ConfigDigest, built.ParsedManifest.Config.Digest);
    }

    [Fact]
    public async Task Manifest_digest_matches_bytes()
    {
        var built = await BuildAsync(new MemoryImageSource(TestImage.Create()), WriteNewLayer());

        Assert.Equal(Digest.Compute(built.Manifest.Bytes), built.Manifest.Digest);
    }

    [Fact]
    public async Task Base_of_other_platform_is_rejected()
    {
        var amd64Only = new MemoryImageSource(TestImage.Create(platform: Amd64));

        var error = await Assert.ThrowsAsync<OciException>(() => ImageBuilder.BuildAsync(amd64Only, BaseName, Arm64, new ImageSettings(), [WriteNewLayer()], CancellationToken.None));

        Assert.Equal(ErrorCodes.BasePlatformMismatch, error.Code);
        Assert.Contains("linux/amd64", error.Message);
        Assert.Contains("linux/arm64/v8", error.Message);
    }

    [Fact]
    public async Task Index_base_resolves_by_platform()
    {
        var amd64 = TestImage.Create(platform: Amd64);
        var arm64 = TestImage.Create(platform: Arm64);
        var source = MemoryImageSource.WithIndex(amd64, arm64);

        var built = await ImageBuilder.BuildAsync(source, BaseName, Arm64, new ImageSettings(), [WriteNewLayer()], CancellationToken.None);

        Assert.Equal(arm64.Manifest.Digest.ToString(), built.ParsedManifest.Annotations![ImageBuilder.BaseDigestAnnotation]);
        Assert.Equal(arm64.Layers.Select(l => l.Descriptor.Digest), built.ParsedManifest.Layers.Take(2).Select(l => l.Digest));
        Assert.Equal("arm64", built.Config.Architecture);
        Assert.Equal("v8", built.Config.Variant);
    }

    [Fact]
    public async Task Index_without_platform_raises()
    {
        var source = MemoryImageSource.WithIndex(TestImage.Create(platform: Amd64));
        var s390x = new Platform { Architecture = "s390x", Os = "linux" };

        var error = await Assert.ThrowsAsync<NotFoundException>(
            () => ImageBuilder.BuildAsync(source, BaseName, s390x, new ImageSettings(), [], CancellationToken.None));

        Assert.Equal(ErrorCodes.PlatformNotFound, error.Code);
        Assert.Contains("linux/amd64", error.Message);
    }

    [Fact]
    public async Task Mismatched_diff_ids_raise()
    {
        var baseImage = TestImage.Create(layerCount: 2);
        baseImage.Config.RootFs.DiffIds.RemoveAt(1);
        byte[] configBytes = OciJson.Serialize(baseImage.Config);
        var source = new RewrittenConfigSource(baseImage, configBytes);

        var error = await Assert.ThrowsAsync<OciException>(() => BuildAsync(source, WriteNewLayer()));

        Assert.Equal(ErrorCodes.InvalidConfig, error.Code);
        Assert.Contains("2 layers but 1 diff IDs", error.Message);
    }

    [Fact]
    public async Task Scratch_image_has_only_new_layers()
    {
        var newLayer = WriteNewLayer();

        var built = await BuildAsync(null, newLayer);

        Assert.Equal([newLayer.Layer.Digest], built.ParsedManifest.Layers.Select(l => l.Digest));
        Assert.Equal([newLayer.Layer.DiffId], built.Config.RootFs.DiffIds);
        Assert.Null(built.ParsedManifest.Annotations);
    }

    [Fact]
    public async Task Built_image_copies_to_store()
    {
        var baseImage = TestImage.Create();
        var newLayer = WriteNewLayer();
        var built = await BuildAsync(new MemoryImageSource(baseImage), newLayer);
        var store = new LocalImageStore(Path.Combine(_temp.Path, "store"));

        await new ImageCopier().CopyAsync(built, new StoreImageDestination(store, "localhost/app"), ["1"], Amd64, CancellationToken.None);

        var stored = await store.FindImageAsync("localhost/app:1", CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(built.Manifest.Digest, stored.Manifest.Digest);
        Assert.All(built.ParsedManifest.Layers, l => Assert.True(store.Blobs.Contains(l.Digest), $"layer {l.Digest} is missing"));
        Assert.Equal(File.ReadAllBytes(newLayer.BlobPath), await store.Blobs.ReadAllAsync(newLayer.Layer.Digest, CancellationToken.None));
    }

    /// <summary>Serves a test image with other config bytes, and a manifest that points at them.</summary>
    private sealed class RewrittenConfigSource : IImageSource
    {
        private readonly MemoryImageSource _inner;
        private readonly byte[] _configBytes;
        private readonly ManifestContent _manifest;

        public RewrittenConfigSource(TestImage image, byte[] configBytes)
        {
            _inner = new MemoryImageSource(image);
            _configBytes = configBytes;
            var manifest = image.ParsedManifest with
            {
                Config = image.ConfigDescriptor with { Digest = Digest.Compute(configBytes), Size = configBytes.LongLength },
            };
            _manifest = ManifestContent.FromBytes(OciJson.Serialize(manifest), MediaTypes.OciManifest);
        }

        public string Description => "memory:rewritten-config";

        public Task<ManifestContent> GetManifestAsync(Digest? digest, CancellationToken cancellationToken) => Task.FromResult(_manifest);

        public Task<Stream> OpenBlobAsync(Descriptor blob, CancellationToken cancellationToken)
            => blob.Digest == Digest.Compute(_configBytes)
                ? Task.FromResult<Stream>(new MemoryStream(_configBytes, writable: false))
                : _inner.OpenBlobAsync(blob, cancellationToken);
    }
}
