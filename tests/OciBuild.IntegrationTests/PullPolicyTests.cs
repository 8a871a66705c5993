namespace OciBuild.IntegrationTests;

/// <summary>The --pull policies of <c>ocibuild pull</c> (and <c>from</c>, which shares them).</summary>
[Collection(TestBedCollection.Name)]
public sealed class PullPolicyTests
{
    private readonly TestBed _bed;

    public PullPolicyTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Never_fails_for_missing_image()
    {
        string store = _bed.NewDirectory("store");

        var pull = await _bed.OcibuildAsync(store, "pull", "--tls-verify=false", "--pull", "never", _bed.BaseImage);

        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("[OCIB2001]", pull.StandardError);
    }

    [Fact]
    public async Task Newer_pulls_changed_tag_only()
    {
        string store = _bed.NewDirectory("store");
        string tag = $"{_bed.Registry.Address}/policy/newer:{Guid.NewGuid():N}";
        await CopyInRegistryAsync($"{_bed.Registry.Address}/dotnet/runtime-deps:10.0", tag);
        string first = await PullAsync(store, "missing", tag);
        await CopyInRegistryAsync(_bed.BaseImage, tag);

        string missing = await PullAsync(store, "missing", tag);
        string newer = await PullAsync(store, "newer", tag);
        string newerAgain = await PullAsync(store, "newer", tag);
        string never = await PullAsync(store, "never", tag);

        Assert.Equal(first, missing);
        Assert.NotEqual(first, newer);
        Assert.Equal(newer, newerAgain);
        Assert.Equal(newer, never);
    }

    private async Task<string> PullAsync(string store, string policy, string reference)
    {
        var pull = await _bed.OcibuildAsync(store, "pull", "--tls-verify=false", "--pull", policy, reference);
        Assert.True(pull.ExitCode == 0, pull.ToString());
        return pull.StandardOutput.Trim();
    }

    private static Task CopyInRegistryAsync(string source, string destination)
        => ProcessRunner.RunCheckedAsync("skopeo", ["copy", "--src-tls-verify=false", "--dest-tls-verify=false", $"docker://{source}", $"docker://{destination}"]);
}
