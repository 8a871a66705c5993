namespace OciBuild.IntegrationTests;

/// <summary>A pull into a store on a file system that fills up fails cleanly and keeps no partial blob.</summary>
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
        // A 3 MiB tmpfs has room for the config but not for the 6 MB layer of runtime-deps. Mounting needs root,
        // which the integration tests need anyway for runc.
        string mountPoint = _bed.NewDirectory("small-disk");
        await ProcessRunner.RunCheckedAsync("mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", mountPoint]);
        try
        {
            string store = Path.Combine(mountPoint, "store");

            var pull = await _bed.OcibuildAsync(store, "pull", "--tls-verify=false", $"{_bed.Registry.Address}/dotnet/runtime-deps:10.0");
            var check = await _bed.OcibuildAsync(store, "check");
            var images = await _bed.OcibuildAsync(store, "images");

            Assert.True(pull.ExitCode == 1, pull.ToString());
            // TODO: the message is the bare IOException from BlobStore, without an OCIB code or the image
            // being pulled; a store error code with "free space or pick another --root" would name the fix.
            Assert.Contains("No space left on device", pull.StandardError, StringComparison.Ordinal);
            Assert.True(check.ExitCode == 0, check.ToString());
            Assert.Contains("0 problems found", check.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("runtime-deps", images.StandardOutput, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(Path.Combine(store, "blobs", "sha256"), ".tmp-*"));
        }
        finally
        {
            await ProcessRunner.RunCheckedAsync("umount", [mountPoint]);
        }
    }
}
