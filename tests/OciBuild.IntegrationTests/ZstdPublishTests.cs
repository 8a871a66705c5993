using System.Text.Json;

namespace OciBuild.IntegrationTests;

/// <summary>Publishes with OciLayerCompression and OciLayerCompressionLevel, checked with skopeo and run with ocibuild.</summary>
[Collection(TestBedCollection.Name)]
public sealed class ZstdPublishTests
{
    private const string GzipLayer = "application/vnd.oci.image.layer.v1.tar+gzip";
    private const string ZstdLayer = "application/vnd.oci.image.layer.v1.tar+zstd";

    private readonly TestBed _bed;

    public ZstdPublishTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Zstd_publish_pushes_zstd_layers()
    {
        var publish = await _bed.PublishAsync([.. _bed.RegistryProperties("zstd-publish"), "OciLayerCompression=zstd"], TestBed.EpochEnvironment());
        Assert.True(publish.ExitCode == 0, publish.ToString());
        string reference = $"{_bed.Registry.Address}/zstd-publish:latest";

        var manifest = await Skopeo.ManifestAsync(reference);
        var baseManifest = await Skopeo.ManifestAsync(_bed.BaseImage);

        // The base image's layers are copied as they are; only the layers built from the publish folder are zstd.
        var layerTypes = manifest.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("mediaType").GetString()).ToList();
        int baseLayerCount = baseManifest.GetProperty("layers").GetArrayLength();
        Assert.Equal(Enumerable.Repeat(GzipLayer, baseLayerCount), layerTypes.Take(baseLayerCount));
        Assert.NotEmpty(layerTypes.Skip(baseLayerCount));
        Assert.All(layerTypes.Skip(baseLayerCount), type => Assert.Equal(ZstdLayer, type));
    }

    [Fact]
    public async Task Zstd_image_copies_and_runs()
    {
        var publish = await _bed.PublishAsync([.. _bed.RegistryProperties("zstd-run"), "OciLayerCompression=zstd"], TestBed.EpochEnvironment());
        Assert.True(publish.ExitCode == 0, publish.ToString());
        string reference = $"{_bed.Registry.Address}/zstd-run:latest";
        string layout = Path.Combine(_bed.NewDirectory("zstd-copy"), "layout");
        string store = _bed.NewDirectory("zstd-run-store");

        // NOTE: Debian's umoci 0.4.7 rejects tar+zstd layers ("blob is not correct mediatype"), so the
        // copy is checked with skopeo, and the unpacking with ocibuild's own extractor and runc.
        var copy = await ProcessRunner.RunAsync("skopeo", ["copy", "--src-tls-verify=false", $"docker://{reference}", $"oci:{layout}:zstd"]);
        var layoutManifest = await ProcessRunner.RunAsync("skopeo", ["inspect", "--raw", $"oci:{layout}:zstd"]);
        var from = await _bed.OcibuildAsync(store, "from", "--tls-verify=false", "--name", "zstd-run", reference);
        var run = await _bed.OcibuildAsync(store, "run", "zstd-run");
        var check = await _bed.OcibuildAsync(store, "check");

        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.Contains(ZstdLayer, layoutManifest.StandardOutput, StringComparison.Ordinal);
        Assert.True(from.ExitCode == 0, from.ToString());
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("This is a new container named helloecho [ 9 ]", run.StandardOutput, StringComparison.Ordinal);
        Assert.True(check.ExitCode == 0, check.ToString());
    }

    [Fact]
    public async Task Zstd_level_changes_layer_size()
    {
        var fast = await _bed.PublishAsync([.. _bed.RegistryProperties("zstd-level-1"), "OciLayerCompression=zstd", "OciLayerCompressionLevel=1"], TestBed.EpochEnvironment(), verbosity: "normal");
        var small = await _bed.PublishAsync([.. _bed.RegistryProperties("zstd-level-19"), "OciLayerCompression=zstd", "OciLayerCompressionLevel=19"], TestBed.EpochEnvironment(), verbosity: "normal");
        Assert.True(fast.ExitCode == 0, fast.ToString());
        Assert.True(small.ExitCode == 0, small.ToString());

        var fastLayers = NewLayers(await Skopeo.ManifestAsync($"{_bed.Registry.Address}/zstd-level-1:latest"));
        var smallLayers = NewLayers(await Skopeo.ManifestAsync($"{_bed.Registry.Address}/zstd-level-19:latest"));

        // The layer cache keys on the level, so the second publish built its layers again.
        Assert.DoesNotContain("reused layer", small.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(fastLayers.Count, smallLayers.Count);
        Assert.True(
            smallLayers.Sum(l => l.Size) < fastLayers.Sum(l => l.Size),
            $"level 19 gave {smallLayers.Sum(l => l.Size)} bytes of layers, level 1 {fastLayers.Sum(l => l.Size)}");
        Assert.All(fastLayers.Zip(smallLayers), pair => Assert.NotEqual(pair.First.Digest, pair.Second.Digest));
    }

    [Fact]
    public async Task Gzip_stays_reproducible_after_zstd()
    {
        // One repository, because the layer history names it; the tags do not reach the config.
        var first = await _bed.PublishAsync([.. _bed.RegistryProperties("gzip-again"), "OciTags=first"], TestBed.EpochEnvironment());
        var zstd = await _bed.PublishAsync([.. _bed.RegistryProperties("gzip-again"), "OciTags=zstd", "OciLayerCompression=zstd"], TestBed.EpochEnvironment());
        var second = await _bed.PublishAsync([.. _bed.RegistryProperties("gzip-again"), "OciTags=second", "OciLayerCompression=gzip"], TestBed.EpochEnvironment());
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(zstd.ExitCode == 0, zstd.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());

        string firstDigest = await Skopeo.DigestAsync($"{_bed.Registry.Address}/gzip-again:first");
        string zstdDigest = await Skopeo.DigestAsync($"{_bed.Registry.Address}/gzip-again:zstd");
        string secondDigest = await Skopeo.DigestAsync($"{_bed.Registry.Address}/gzip-again:second");

        Assert.Equal(firstDigest, secondDigest);
        Assert.NotEqual(firstDigest, zstdDigest);
    }

    [Theory]
    [InlineData("OCIB7120", "OciLayerCompression=brotli")]
    [InlineData("OCIB7121", "OciLayerCompression=zstd", "OciLayerCompressionLevel=23")]
    [InlineData("OCIB7121", "OciLayerCompressionLevel=10")]
    public async Task Invalid_compression_fails_with_code(string code, params string[] properties)
    {
        var publish = await _bed.PublishAsync([.. _bed.RegistryProperties("invalid-compression"), .. properties], TestBed.EpochEnvironment());

        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains($"error {code}", publish.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(properties[^1].Split('=')[0], publish.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>Returns the layers above the base image's, which the publish built.</summary>
    private static List<(string Digest, long Size)> NewLayers(JsonElement manifest)
        => manifest.GetProperty("layers").EnumerateArray()
            .Where(l => l.GetProperty("mediaType").GetString() == ZstdLayer)
            .Select(l => (l.GetProperty("digest").GetString()!, l.GetProperty("size").GetInt64()))
            .ToList();
}
