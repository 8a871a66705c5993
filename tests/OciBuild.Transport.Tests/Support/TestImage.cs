using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using OciBuild.Core;

namespace OciBuild.Transport.Tests.Support;

/// <summary>One layer of a <see cref="TestImage"/>: the gzip blob, its descriptor and the diff ID of the tar inside.</summary>
internal sealed record TestLayer(Descriptor Descriptor, Digest DiffId, byte[] Blob);

/// <summary>
/// A small valid image made of random bytes: gzip tar layers with correct diff IDs, a config that lists
/// them, and a manifest. Random content keeps images of different tests apart in a shared registry.
/// </summary>
internal sealed class TestImage
{
    /// <summary>Annotation text that the registry tests change on disk to corrupt a stored manifest.</summary>
    public const string DescriptionText = "OciBuild transport test image";

    private TestImage(ManifestContent manifest, ImageManifest parsedManifest, byte[] configBytes, ImageConfig config, IReadOnlyList<TestLayer> layers)
    {
        Manifest = manifest;
        ParsedManifest = parsedManifest;
        ConfigBytes = configBytes;
        Config = config;
        Layers = layers;
    }

    public ManifestContent Manifest { get; }

    public ImageManifest ParsedManifest { get; }

    public byte[] ConfigBytes { get; }

    public ImageConfig Config { get; }

    public IReadOnlyList<TestLayer> Layers { get; }

    public Descriptor ConfigDescriptor => ParsedManifest.Config;

    /// <summary>The config and layer blobs by digest, without the manifest.</summary>
    public IReadOnlyDictionary<Digest, byte[]> Blobs
    {
        get
        {
            var blobs = Layers.ToDictionary(l => l.Descriptor.Digest, l => l.Blob);
            blobs[ConfigDescriptor.Digest] = ConfigBytes;
            return blobs;
        }
    }

    /// <summary>Creates an OCI image, or one with Docker v2 schema 2 media types when <paramref name="docker"/> is set.</summary>
    /// <param name="fileSize">The size of the one random file in each layer's tar.</param>
    public static TestImage Create(int layerCount = 2, int fileSize = 2048, Platform? platform = null, bool docker = false)
    {
        platform ??= new Platform { Architecture = "amd64", Os = "linux" };
        var created = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
        string layerMediaType = docker ? MediaTypes.DockerLayerGzip : MediaTypes.OciLayerGzip;

        var layers = Enumerable.Range(0, layerCount)
            .Select(i => CreateLayer($"layer-{i}.bin", RandomNumberGenerator.GetBytes(fileSize), layerMediaType))
            .ToList();

        var config = new ImageConfig
        {
            Created = created,
            Architecture = platform.Architecture,
            Os = platform.Os,
            Variant = platform.Variant,
            Config = new ContainerConfig
            {
                Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                Cmd = ["/bin/sh"],
            },
            RootFs = new RootFs { DiffIds = layers.Select(l => l.DiffId).ToList() },
            History = layers.Select(l => new HistoryEntry { Created = created, CreatedBy = "test layer " + l.Descriptor.Digest.ShortId }).ToList(),
        };
        byte[] configBytes = OciJson.Serialize(config);

        var manifest = new ImageManifest
        {
            MediaType = docker ? MediaTypes.DockerManifest : MediaTypes.OciManifest,
            Config = new Descriptor
            {
                MediaType = docker ? MediaTypes.DockerConfig : MediaTypes.OciConfig,
                Digest = Digest.Compute(configBytes),
                Size = configBytes.LongLength,
            },
            Layers = layers.Select(l => l.Descriptor).ToList(),
            // Docker v2 schema 2 manifests have no annotations.
            Annotations = docker ? null : new Dictionary<string, string> { ["org.opencontainers.image.description"] = DescriptionText },
        };
        byte[] manifestBytes = OciJson.Serialize(manifest);
        var manifestContent = new ManifestContent(manifestBytes, manifest.MediaType!, Digest.Compute(manifestBytes));

        return new TestImage(manifestContent, manifest, configBytes, config, layers);
    }

    /// <summary>Creates a gzip-compressed tar with one regular file.</summary>
    public static TestLayer CreateLayer(string fileName, byte[] fileContent, string mediaType = MediaTypes.OciLayerGzip)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, fileName)
            {
                DataStream = new MemoryStream(fileContent),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                ModificationTime = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero),
            };
            writer.WriteEntry(entry);
        }

        byte[] tarBytes = tar.ToArray();
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(tarBytes);
        }

        byte[] blob = compressed.ToArray();
        var descriptor = new Descriptor { MediaType = mediaType, Digest = Digest.Compute(blob), Size = blob.LongLength };
        return new TestLayer(descriptor, Digest.Compute(tarBytes), blob);
    }
}
