namespace OciBuild.IntegrationTests;

/// <summary>OciChunkSize through dotnet publish: the request lines at detailed verbosity show the PATCH chunks.</summary>
[Collection(TestBedCollection.Name)]
public sealed class ChunkSizePropertyTests
{
    private readonly TestBed _bed;

    public ChunkSizePropertyTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Chunk_size_splits_uploads()
    {
        var chunked = await PublishAsync("chunked", "OciChunkSize=4096");
        var whole = await PublishAsync("whole");

        Assert.True(CountPatches(chunked.StandardOutput) >= 2, chunked.StandardOutput);
        Assert.Equal(0, CountPatches(whole.StandardOutput));
        await AssertCopiesWholeAsync("chunked");
        Assert.Equal(await LayersAsync("whole"), await LayersAsync("chunked"));
    }

    [Fact]
    public async Task Invalid_chunk_size_fails_with_code()
    {
        var publish = await _bed.PublishAsync([.. _bed.RegistryProperties("bad-chunk"), "OciChunkSize=lots"]);

        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("error OCIB1007", publish.StandardOutput);
        Assert.Contains("OciChunkSize=lots", publish.StandardOutput);
    }

    private async Task<ProcessResult> PublishAsync(string repository, params string[] properties)
    {
        var publish = await _bed.PublishAsync([.. _bed.RegistryProperties(repository), .. properties], TestBed.EpochEnvironment(), verbosity: "detailed");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        return publish;
    }

    // skopeo copy reads every layer and checks it against its digest, so a chunk lost or sent twice fails here.
    private async Task AssertCopiesWholeAsync(string repository)
    {
        string layout = Path.Combine(_bed.NewDirectory("chunk-copy"), "layout");
        var copy = await ProcessRunner.RunAsync("skopeo", ["copy", "--src-tls-verify=false", $"docker://{_bed.Registry.Address}/{repository}:latest", $"oci:{layout}:latest"]);

        Assert.True(copy.ExitCode == 0, copy.ToString());
    }

    private async Task<string> LayersAsync(string repository) =>
        (await Skopeo.ManifestAsync($"{_bed.Registry.Address}/{repository}:latest")).GetProperty("layers").GetRawText();

    private static int CountPatches(string output) =>
        output.Split('\n').Count(line => line.Contains("PATCH http", StringComparison.Ordinal));
}
