namespace OciBuild.IntegrationTests;

/// <summary>
/// Writes into a store on a file system that fills up fail with OCIB5010, which names what was being
/// written and where, and keep nothing partial.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class DiskFullTests
{
    private readonly TestBed _bed;

    public DiskFullTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Pull_into_full_disk_keeps_no_partial_blob()
    {
        // A 3 MiB tmpfs has room for the config but not for the 6 MB layer of runtime-deps.
        await WithSmallDiskAsync("3m", async mountPoint =>
        {
            string store = Path.Combine(mountPoint, "store");

            var pull = await _bed.OcibuildAsync(store, "pull", "--tls-verify=false", $"{_bed.Registry.Address}/dotnet/runtime-deps:10.0");
            var check = await _bed.OcibuildAsync(store, "check");
            var images = await _bed.OcibuildAsync(store, "images");

            Assert.True(pull.ExitCode == 1, pull.ToString());
            Assert.Contains("[OCIB5010]", pull.StandardError, StringComparison.Ordinal);
            Assert.Contains("No space left on device while writing blob sha256:", pull.StandardError, StringComparison.Ordinal);
            Assert.Contains(store, pull.StandardError, StringComparison.Ordinal);
            Assert.Contains("--root", pull.StandardError, StringComparison.Ordinal);
            Assert.True(check.ExitCode == 0, check.ToString());
            Assert.Contains("0 problems found", check.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("runtime-deps", images.StandardOutput, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(Path.Combine(store, "blobs", "sha256"), ".tmp-*"));
        });
    }

    [Fact]
    public async Task From_into_full_disk_keeps_no_partial_layer()
    {
        // 64 MiB fits the 44 MB of runtime's compressed layers, but not the 96 MB they unpack to.
        await WithSmallDiskAsync("64m", async mountPoint =>
        {
            string store = Path.Combine(mountPoint, "store");
            var pull = await _bed.OcibuildAsync(store, "pull", "--tls-verify=false", _bed.BaseImage);
            Assert.True(pull.ExitCode == 0, pull.ToString());

            var from = await _bed.OcibuildAsync(store, "from", "--tls-verify=false", "--name", "full", _bed.BaseImage);
            var check = await _bed.OcibuildAsync(store, "check");
            var containers = await _bed.OcibuildAsync(store, "containers");

            Assert.True(from.ExitCode == 1, from.ToString());
            Assert.Contains("[OCIB5010]", from.StandardError, StringComparison.Ordinal);
            Assert.Contains("No space left on device while writing", from.StandardError, StringComparison.Ordinal);
            Assert.Contains(store, from.StandardError, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", from.StandardError, StringComparison.Ordinal);
            Assert.True(check.ExitCode == 0, check.ToString());
            Assert.Contains("0 problems found", check.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("full", containers.StandardOutput, StringComparison.Ordinal);
            Assert.Empty(Directory.GetDirectories(Path.Combine(store, "layers"), ".tmp-*"));
        });
    }

    [Fact]
    public async Task Publish_into_full_disk_fails_build()
    {
        await WithSmallDiskAsync("3m", async mountPoint =>
        {
            string store = Path.Combine(mountPoint, "store");

            var publish = await _bed.PublishAsync([$"OciLocalStore={store}", "OciTlsVerify=false", $"OciBaseImage={_bed.Registry.Address}/dotnet/runtime-deps:10.0"]);
            var check = await _bed.OcibuildAsync(store, "check");

            Assert.NotEqual(0, publish.ExitCode);
            Assert.Contains("error OCIB5010", publish.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("OciLocalStore", publish.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("MSB4018", publish.StandardOutput, StringComparison.Ordinal);
            Assert.True(check.ExitCode == 0, check.ToString());
            Assert.Contains("0 problems found", check.StandardOutput, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(Path.Combine(store, "blobs", "sha256"), ".tmp-*"));
        });
    }

    // Runs the test body on a tmpfs of the given size, a file system that fills up without touching the
    // machine's disks. Mounting needs root, which the integration tests need anyway for runc.
    private async Task WithSmallDiskAsync(string size, Func<string, Task> test)
    {
        string mountPoint = _bed.NewDirectory("small-disk");
        await ProcessRunner.RunCheckedAsync("mount", ["-t", "tmpfs", "-o", $"size={size}", "tmpfs", mountPoint]);
        try
        {
            await test(mountPoint);
        }
        finally
        {
            await ProcessRunner.RunCheckedAsync("umount", [mountPoint]);
        }
    }
}
