using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace OciBuild.IntegrationTests;

/// <summary>
/// The MultiArch sample (OciRuntimeIdentifiers=linux-x64;linux-arm64): published as one image index to
/// a registry, the local store and an OCI archive, then read back with skopeo and run with runc.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class MultiPlatformTests : IClassFixture<MultiPlatformRegistry>
{
    private const string Greeting = "hello: from every platform; no matter which";
    private const string Description = "Prints its architecture; one image per platform: amd64 and arm64";

    // The ELF e_machine value of AArch64 (System V ABI); the apphost is a native program of its runtime identifier.
    private const ushort ElfMachineAarch64 = 183;

    private readonly TestBed _bed;
    private readonly MultiPlatformRegistry _registry;

    public MultiPlatformTests(TestBed bed, MultiPlatformRegistry registry)
    {
        _bed = bed;
        _registry = registry;
    }

    [Fact]
    public async Task Registry_gets_index_of_both_platforms()
    {
        string digestFile = Path.Combine(_bed.NewDirectory("digest"), "digest.txt");
        string reference = $"{_registry.Address}/multiarch:latest";

        var publish = await PublishAsync($"OciRegistry={_registry.Address}", "OciRepository=multiarch", $"OciDigestFile={digestFile}");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        var index = await Skopeo.ManifestAsync(reference);
        Assert.Equal("application/vnd.oci.image.index.v1+json", index.GetProperty("mediaType").GetString());
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], Platforms(index));
        Assert.Equal(await Skopeo.DigestAsync(reference), File.ReadAllText(digestFile));
    }

    [Fact]
    public async Task Arm64_image_holds_arm64_app()
    {
        string reference = $"{_registry.Address}/multiarch-arm64:latest";
        var publish = await PublishAsync($"OciRegistry={_registry.Address}", "OciRepository=multiarch-arm64");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        string layout = Path.Combine(_bed.NewDirectory("arm64-copy"), "layout");

        var copy = await ProcessRunner.RunAsync("skopeo", ["copy", "--src-tls-verify=false", "--override-arch", "arm64", "--override-variant", "v8", $"docker://{reference}", $"oci:{layout}:arm64"]);
        Assert.True(copy.ExitCode == 0, copy.ToString());
        var config = await OciLayoutConfigAsync(layout, "arm64");

        Assert.Equal("arm64", config.GetProperty("architecture").GetString());
        Assert.Equal("v8", config.GetProperty("variant").GetString());
        Assert.Contains($"MULTIARCH_GREETING={Greeting}", Skopeo.Strings(config.GetProperty("config").GetProperty("Env")));
        Assert.Equal(Description, Skopeo.Labels(config)["org.opencontainers.image.description"]);
        Assert.Equal(ElfMachineAarch64, await AppHostMachineAsync(layout, "arm64"));
    }

    [Fact]
    public async Task Amd64_image_runs_with_settings_intact()
    {
        string reference = $"{_registry.Address}/multiarch-run:latest";
        var publish = await PublishAsync($"OciRegistry={_registry.Address}", "OciRepository=multiarch-run");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        string store = _bed.NewDirectory("store");

        var config = await Skopeo.ConfigAsync(reference);
        var from = await _bed.OcibuildAsync(store, "from", "--tls-verify=false", reference);
        Assert.True(from.ExitCode == 0, from.ToString());
        var run = await _bed.OcibuildAsync(store, "run", from.StandardOutput.Trim());
        var rm = await _bed.OcibuildAsync(store, "rm", from.StandardOutput.Trim());

        Assert.Equal("amd64", config.GetProperty("architecture").GetString());
        Assert.Equal(Description, Skopeo.Labels(config)["org.opencontainers.image.description"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([Greeting, "MultiArch runs on linux-x64 (X64)"], run.StandardOutput.Trim().Split('\n'));
        Assert.True(rm.ExitCode == 0, rm.ToString());
    }

    [Fact]
    public async Task Local_store_keeps_runnable_index()
    {
        string store = _bed.NewDirectory("store");

        var publish = await PublishAsync($"OciLocalStore={store}", "OciRepository=multiarch-local");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        var index = await RawAsync($"oci:{store}:localhost/multiarch-local:latest");
        var images = await _bed.OcibuildAsync(store, "images");
        var from = await _bed.OcibuildAsync(store, "from", "multiarch-local");
        Assert.True(from.ExitCode == 0, from.ToString());
        var run = await _bed.OcibuildAsync(store, "run", from.StandardOutput.Trim());
        var rm = await _bed.OcibuildAsync(store, "rm", from.StandardOutput.Trim());
        var check = await _bed.OcibuildAsync(store, "check");

        Assert.Equal(["linux/amd64", "linux/arm64/v8"], Platforms(index));
        Assert.Contains("localhost/multiarch-local:latest", images.StandardOutput);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.EndsWith("MultiArch runs on linux-x64 (X64)", run.StandardOutput.Trim());
        Assert.True(rm.ExitCode == 0, rm.ToString());
        Assert.True(check.ExitCode == 0, check.ToString());
    }

    [Fact]
    public async Task Oci_archive_holds_index()
    {
        string directory = _bed.NewDirectory("archive");

        var publish = await PublishAsync($"OciArchiveOutputPath={directory}/", "OciRepository=multiarch", "OciTags=1.0%3Blatest");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        string archive = Path.Combine(directory, "multiarch.tar");
        var index = await RawAsync($"oci-archive:{archive}:1.0");
        var arm64 = await ProcessRunner.RunCheckedAsync("skopeo", ["inspect", "--override-arch", "arm64", "--config", $"oci-archive:{archive}:latest"]);

        Assert.Equal(["linux/amd64", "linux/arm64/v8"], Platforms(index));
        Assert.Equal("arm64", JsonDocument.Parse(arm64.StandardOutput).RootElement.GetProperty("architecture").GetString());
    }

    [Fact]
    public async Task Shared_publish_folder_fails_with_code()
    {
        string publishDirectory = _bed.NewDirectory("shared-publish");

        var publish = await PublishAsync($"OciRegistry={_registry.Address}", "OciRepository=multiarch-shared", $"PublishDir={publishDirectory}/");

        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("error OCIB7111", publish.StandardOutput);
        Assert.False((await ProcessRunner.RunAsync("skopeo", ["inspect", "--raw", "--tls-verify=false", $"docker://{_registry.Address}/multiarch-shared:latest"])).ExitCode == 0);
    }

    private Task<ProcessResult> PublishAsync(params string[] properties)
        => _bed.PublishProjectAsync(_bed.SamplePath("MultiArch"), ["OciTlsVerify=false", $"OciBaseRegistry={_registry.Address}", .. properties]);

    private static async Task<JsonElement> RawAsync(string location)
    {
        var result = await ProcessRunner.RunCheckedAsync("skopeo", ["inspect", "--raw", location]);
        return JsonDocument.Parse(result.StandardOutput).RootElement.Clone();
    }

    private static string[] Platforms(JsonElement index)
        => index.GetProperty("manifests").EnumerateArray()
            .Select(m => m.GetProperty("platform"))
            .Select(p => string.Join("/", new[] { p.GetProperty("os").GetString(), p.GetProperty("architecture").GetString(), p.TryGetProperty("variant", out var v) ? v.GetString() : null }.OfType<string>()))
            .ToArray();

    private static async Task<JsonElement> OciLayoutConfigAsync(string layout, string tag)
    {
        var result = await ProcessRunner.RunCheckedAsync("skopeo", ["inspect", "--config", $"oci:{layout}:{tag}"]);
        return JsonDocument.Parse(result.StandardOutput).RootElement.Clone();
    }

    /// <summary>Reads the ELF machine field of /app/MultiArch from the layers of the image in an OCI layout.</summary>
    private static async Task<ushort> AppHostMachineAsync(string layout, string tag)
    {
        var manifest = await RawAsync($"oci:{layout}:{tag}");
        foreach (var layer in manifest.GetProperty("layers").EnumerateArray())
        {
            string blob = Path.Combine(layout, "blobs", "sha256", layer.GetProperty("digest").GetString()!["sha256:".Length..]);
            await using var gzip = new GZipStream(File.OpenRead(blob), CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.Name.TrimStart('.', '/') == "app/MultiArch" && entry.DataStream is { } data)
                {
                    byte[] header = new byte[20];
                    await data.ReadExactlyAsync(header);
                    return BitConverter.ToUInt16(header, 18);
                }
            }
        }

        throw new InvalidOperationException($"no layer of oci:{layout}:{tag} contains /app/MultiArch");
    }
}
