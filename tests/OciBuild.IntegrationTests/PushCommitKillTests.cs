namespace OciBuild.IntegrationTests;

/// <summary>
/// <c>ocibuild push</c> and <c>commit</c> killed with SIGKILL at random points: the store stays
/// consistent per <c>ocibuild check</c>, a tag in the registry always leads to a complete image, and
/// running the command again succeeds. Each test prints its seed in its failure messages for replay.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class PushCommitKillTests
{
    private const int Rounds = 6;

    private readonly TestBed _bed;
    private readonly KillHarness _harness;

    public PushCommitKillTests(TestBed bed)
    {
        _bed = bed;
        _harness = new KillHarness(bed);
    }

    [Fact]
    public async Task Killed_push_leaves_no_broken_tag()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        string store = _bed.NewDirectory("killed-push");
        var pull = await _bed.OcibuildAsync(store, "pull", "--tls-verify=false", _bed.BaseImage);
        Assert.True(pull.ExitCode == 0, pull.ToString());
        string expectedDigest = await Skopeo.DigestAsync(_bed.BaseImage);

        // A registry of its own, so that every round uploads the layers instead of finding them there.
        await using var registry = await TestRegistry.StartAsync(Path.Combine(_bed.NewDirectory("push-target"), "registry"));
        int duration = await _harness.MeasureAsync(store, "push", "--tls-verify=false", _bed.BaseImage, $"docker://{registry.Address}/timed/runtime:10.0");
        int killed = 0;

        for (int round = 0; round < Rounds; round++)
        {
            // A new repository each round, because docker-registry finds a repository's blobs only in that repository.
            string target = $"{registry.Address}/killed-{round}/runtime:10.0";
            int delay = KillHarness.NextDelay(random, round, duration);
            string context = $"seed {seed}, round {round}: push killed after {delay} ms";

            killed += await _harness.RunAndKillAsync(store, delay, "push", "--tls-verify=false", _bed.BaseImage, $"docker://{target}") ? 1 : 0;

            await _harness.AssertCleanAsync(store, context);
            var tagged = await ProcessRunner.RunAsync("skopeo", ["inspect", "--raw", "--tls-verify=false", $"docker://{target}"]);
            if (tagged.ExitCode == 0)
            {
                await AssertCompleteAsync(target, $"{context}: the tag exists");
            }

            var push = await _bed.OcibuildAsync(store, "push", "--tls-verify=false", _bed.BaseImage, $"docker://{target}");
            Assert.True(push.ExitCode == 0, $"{context}: the push after it failed: {push}");
            await AssertCompleteAsync(target, $"{context}, pushed again");
            Assert.Equal(expectedDigest, await Skopeo.DigestAsync(target));
        }

        Assert.True(killed > 0, $"seed {seed}: every push ended before its kill, within {duration} ms");
    }

    [Fact]
    public async Task Killed_commit_leaves_consistent_store()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        string store = _bed.NewDirectory("killed-commit");
        var from = await _bed.OcibuildAsync(store, "from", "--tls-verify=false", "--name", "work", _bed.BaseImage);
        Assert.True(from.ExitCode == 0, from.ToString());

        // Random bytes do not compress, so the commit spends a while writing its layer.
        string payload = Path.Combine(_bed.NewDirectory("commit-payload"), "payload.bin");
        byte[] content = new byte[16 << 20];
        random.NextBytes(content);
        await File.WriteAllBytesAsync(payload, content);
        var copy = await _bed.OcibuildAsync(store, "copy", "work", payload, "/data/payload.bin");
        Assert.True(copy.ExitCode == 0, copy.ToString());

        int duration = await _harness.MeasureAsync(store, "commit", "work", "timed-commit:1");
        int killed = 0;

        for (int round = 0; round < Rounds; round++)
        {
            int delay = KillHarness.NextDelay(random, round, duration);
            string context = $"seed {seed}, round {round}: commit killed after {delay} ms";

            killed += await _harness.RunAndKillAsync(store, delay, "commit", "work", $"killed-commit:{round}") ? 1 : 0;

            await _harness.AssertRepairableAsync(store, context);
            var commit = await _bed.OcibuildAsync(store, "commit", "work", $"killed-commit:{round}");
            Assert.True(commit.ExitCode == 0, $"{context}: the commit after it failed: {commit}");
            await _harness.AssertCleanAsync(store, $"{context}, committed again");
        }

        Assert.True(killed > 0, $"seed {seed}: every commit ended before its kill, within {duration} ms");

        var images = await _bed.OcibuildAsync(store, "images");
        for (int round = 0; round < Rounds; round++)
        {
            Assert.Contains($"localhost/killed-commit:{round}", images.StandardOutput, StringComparison.Ordinal);
        }

        // skopeo reads the store as an OCI layout and verifies every blob it copies.
        string layout = _bed.NewDirectory("commit-copy");
        await ProcessRunner.RunCheckedAsync("skopeo", ["copy", $"oci:{store}:localhost/killed-commit:0", $"oci:{layout}:copy"]);
        Directory.Delete(layout, recursive: true);
    }

    // skopeo copy fetches the manifest, the config and every layer and checks each against its digest,
    // so it fails when the tag points at a manifest with a missing or partial blob.
    private async Task AssertCompleteAsync(string reference, string context)
    {
        string layout = _bed.NewDirectory("pushed-copy");
        try
        {
            var copy = await ProcessRunner.RunAsync("skopeo", ["copy", "--src-tls-verify=false", $"docker://{reference}", $"oci:{layout}:copy"]);
            Assert.True(copy.ExitCode == 0, $"{context}, but skopeo cannot copy its image: {copy}");
        }
        finally
        {
            Directory.Delete(layout, recursive: true);
        }
    }
}
