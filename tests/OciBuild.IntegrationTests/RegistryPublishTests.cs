using System.Text.Json;

namespace OciBuild.IntegrationTests;

/// <summary>The main job: publish the sample into a registry, check it with skopeo and umoci, run it with ocibuild.</summary>
[Collection(TestBedCollection.Name)]
public sealed class RegistryPublishTests
{
    private const int ExpectedLineCount = 10;
    private readonly TestBed _bed;

    public RegistryPublishTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Publish_pushes_image_skopeo_reads()
    {
        string reference = await PublishAsync("skopeo");

        var inspect = await ProcessRunner.RunCheckedAsync("skopeo", ["inspect", "--tls-verify=false", $"docker://{reference}"]);
        using var summary = JsonDocument.Parse(inspect.StandardOutput);
        var config = await InspectConfigAsync(reference);

        Assert.Equal($"{_bed.Registry.Address}/helloecho-skopeo", summary.RootElement.GetProperty("Name").GetString());
        Assert.Equal("amd64", summary.RootElement.GetProperty("Architecture").GetString());
        Assert.Equal(3, summary.RootElement.GetProperty("Layers").GetArrayLength());
        Assert.Contains("HELLOECHO_NAME=helloecho", summary.RootElement.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Prints ten greetings from inside a container", summary.RootElement.GetProperty("Labels").GetProperty("org.opencontainers.image.description").GetString());
        Assert.Equal(["/app/HelloEcho"], config.GetProperty("config").GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("/app", config.GetProperty("config").GetProperty("WorkingDir").GetString());
        Assert.Equal("1654", config.GetProperty("config").GetProperty("User").GetString());
        Assert.Equal(3, config.GetProperty("rootfs").GetProperty("diff_ids").GetArrayLength());
        Assert.Equal(3, config.GetProperty("history").GetArrayLength());
    }

    [Fact]
    public async Task Published_image_unpacks_with_umoci()
    {
        string reference = await PublishAsync("umoci");
        string layout = Path.Combine(_bed.NewDirectory("layout"), "oci");
        string bundle = Path.Combine(_bed.NewDirectory("bundle"), "b");

        await ProcessRunner.RunCheckedAsync("skopeo", ["copy", "--src-tls-verify=false", $"docker://{reference}", $"oci:{layout}:latest"]);
        await ProcessRunner.RunCheckedAsync("umoci", ["unpack", "--image", $"{layout}:latest", bundle]);

        string appHost = Path.Combine(bundle, "rootfs", "app", "HelloEcho");
        Assert.True(File.Exists(appHost), $"{appHost} is missing");
        Assert.True(File.GetUnixFileMode(appHost).HasFlag(UnixFileMode.UserExecute), "the apphost lost its execute bit");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(bundle, "rootfs", "app", "HelloEcho.dll")));
        Assert.True(File.Exists(Path.Combine(bundle, "rootfs", "usr", "share", "dotnet", "dotnet")), "the base image's runtime is missing");
    }

    [Fact]
    public async Task From_and_run_print_ten_lines()
    {
        string reference = await PublishAsync("run");
        string store = _bed.NewDirectory("store");

        var from = await _bed.OcibuildAsync(store, "from", "--tls-verify=false", reference);
        Assert.True(from.ExitCode == 0, from.ToString());
        string container = from.StandardOutput.Trim();
        var run = await _bed.OcibuildAsync(store, "run", container);

        Assert.Equal("helloecho-run-working-container", container);
        Assert.True(run.ExitCode == 0, run.ToString());
        var expected = Enumerable.Range(0, ExpectedLineCount).Select(i => $"This is a new container named helloecho [ {i} ]");
        Assert.Equal(expected, run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Second_from_gets_numbered_name()
    {
        string reference = await PublishAsync("names");
        string store = _bed.NewDirectory("store");

        var first = await _bed.OcibuildAsync(store, "from", "--tls-verify=false", reference);
        var second = await _bed.OcibuildAsync(store, "from", "--tls-verify=false", reference);

        Assert.Equal("helloecho-names-working-container", first.StandardOutput.Trim());
        Assert.Equal("helloecho-names-working-container-1", second.StandardOutput.Trim());
    }

    [Fact]
    public async Task Run_passes_exit_code_through()
    {
        string store = _bed.NewDirectory("store");
        var from = await _bed.OcibuildAsync(store, "from", "--tls-verify=false", _bed.BaseImage);
        Assert.True(from.ExitCode == 0, from.ToString());

        var run = await _bed.OcibuildAsync(store, "run", from.StandardOutput.Trim(), "--", "sh", "-c", "echo out; echo err >&2; exit 3");

        Assert.Equal(3, run.ExitCode);
        Assert.Equal("out\n", run.StandardOutput);
        Assert.Contains("err", run.StandardError);
    }

    [Fact]
    public async Task Source_date_epoch_makes_digest_reproducible()
    {
        var environment = new Dictionary<string, string?> { ["SOURCE_DATE_EPOCH"] = "1700000000" };

        string first = await PublishDigestAsync("first", environment);
        string second = await PublishDigestAsync("second", environment);
        var config = await InspectConfigAsync($"{_bed.Registry.Address}/helloecho-repro:first");

        Assert.Equal(first, second);
        Assert.Equal("2023-11-14T22:13:20Z", config.GetProperty("created").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"));
    }

    private async Task<string> PublishAsync(string suffix)
    {
        var result = await _bed.PublishAsync(PublishProperties(suffix));
        Assert.True(result.ExitCode == 0, result.ToString());
        return $"{_bed.Registry.Address}/helloecho-{suffix}:latest";
    }

    private async Task<string> PublishDigestAsync(string tag, IReadOnlyDictionary<string, string?> environment)
    {
        var result = await _bed.PublishAsync([.. PublishProperties("repro"), $"OciTags={tag}"], environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        var inspect = await ProcessRunner.RunCheckedAsync("skopeo", ["inspect", "--tls-verify=false", $"docker://{_bed.Registry.Address}/helloecho-repro:{tag}"]);
        using var summary = JsonDocument.Parse(inspect.StandardOutput);
        return summary.RootElement.GetProperty("Digest").GetString()!;
    }

    private string[] PublishProperties(string suffix) =>
    [
        $"OciRegistry={_bed.Registry.Address}",
        "OciTlsVerify=false",
        $"OciBaseImage={_bed.BaseImage}",
        $"OciRepository=helloecho-{suffix}",
    ];

    private static async Task<JsonElement> InspectConfigAsync(string reference)
    {
        var result = await ProcessRunner.RunCheckedAsync("skopeo", ["inspect", "--config", "--tls-verify=false", $"docker://{reference}"]);
        return JsonDocument.Parse(result.StandardOutput).RootElement.Clone();
    }
}
