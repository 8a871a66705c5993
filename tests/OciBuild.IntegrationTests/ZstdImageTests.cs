namespace OciBuild.IntegrationTests;

/// <summary>Images whose layers skopeo recompressed with zstd, pulled and run like any other.</summary>
[Collection(TestBedCollection.Name)]
public sealed class ZstdImageTests
{
    private readonly TestBed _bed;

    public ZstdImageTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Zstd_image_pulls_and_runs()
    {
        string layout = Path.Combine(_bed.NewDirectory("zstd-layout"), "layout");
        string image = $"{_bed.Registry.Address}/zstd/runtime-deps:1";

        // Through a layout, because a copy between repositories of one registry reuses the gzip blobs.
        await ProcessRunner.RunCheckedAsync("skopeo", ["copy", "--src-tls-verify=false", "--dest-compress-format", "zstd", $"docker://{_bed.Registry.Address}/dotnet/runtime-deps:10.0", $"oci:{layout}:zstd"]);
        await ProcessRunner.RunCheckedAsync("skopeo", ["copy", "--dest-tls-verify=false", $"oci:{layout}:zstd", $"docker://{image}"]);
        var manifest = await ProcessRunner.RunCheckedAsync("skopeo", ["inspect", "--tls-verify=false", "--raw", $"docker://{image}"]);
        string store = _bed.NewDirectory("zstd-store");

        var from = await _bed.OcibuildAsync(store, "from", "--tls-verify=false", "--name", "zstd", image);
        var run = await _bed.OcibuildAsync(store, "run", "zstd", "--", "sh", "-c", "echo zstd layers work");
        var check = await _bed.OcibuildAsync(store, "check");

        Assert.Contains("application/vnd.oci.image.layer.v1.tar+zstd", manifest.StandardOutput, StringComparison.Ordinal);
        Assert.True(from.ExitCode == 0, from.ToString());
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("zstd layers work", run.StandardOutput, StringComparison.Ordinal);
        Assert.True(check.ExitCode == 0, check.ToString());
    }
}
