namespace OciBuild.IntegrationTests;

/// <summary><c>ocibuild check</c> on stores damaged on purpose, the way interrupted writes and bad disks damage them.</summary>
[Collection(TestBedCollection.Name)]
public sealed class StoreCheckTests
{
    private readonly TestBed _bed;

    public StoreCheckTests(TestBed bed)
    {
        _bed = bed;
    }

    private string RuntimeDeps => $"{_bed.Registry.Address}/dotnet/runtime-deps:10.0";

    private string Runtime => _bed.BaseImage;

    [Fact]
    public async Task Check_passes_on_fresh_store()
    {
        string store = await PullAsync(RuntimeDeps, Runtime);
        await Ocibuild(store, "from", "--tls-verify=false", RuntimeDeps);

        var check = await _bed.OcibuildAsync(store, "check");

        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("checked 2 images", check.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("1 containers", check.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("0 problems found", check.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_on_missing_store_passes()
    {
        string store = Path.Combine(_bed.NewDirectory("absent"), "store");

        var check = await _bed.OcibuildAsync(store, "check");

        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.False(Directory.Exists(store), "check created the store");
    }

    [Fact]
    public async Task Check_finds_and_repairs_damage()
    {
        string store = await PullAsync(RuntimeDeps, Runtime);
        string blobs = Path.Combine(store, "blobs", "sha256");
        var blobsBefore = Directory.GetFiles(blobs).Select(Path.GetFileName).ToHashSet();
        string damagedConfig = await ConfigDigestAsync(store, RuntimeDeps);
        await File.AppendAllTextAsync(Path.Combine(blobs, damagedConfig), "bit rot");
        await File.WriteAllTextAsync(Path.Combine(store, "tmp", "0123abcd.tar.gz"), "half a layer");
        await File.WriteAllTextAsync(Path.Combine(blobs, ".tmp-0123456789ab-feed"), "half a blob");
        await File.WriteAllTextAsync(Path.Combine(store, "index.json.tmp"), "{\"schemaVersion\":2,");

        var check = await _bed.OcibuildAsync(store, "check");
        var repair = await _bed.OcibuildAsync(store, "check", "--repair");
        var recheck = await _bed.OcibuildAsync(store, "check");
        var images = await _bed.OcibuildAsync(store, "images");

        Assert.True(check.ExitCode == 1, check.ToString());
        Assert.Contains($"damaged blob: {Path.Combine(blobs, damagedConfig)}", check.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"dangling image: image {RuntimeDeps} (sha256:", check.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"config sha256:{damagedConfig} is damaged", check.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"partial file: {Path.Combine(store, "tmp", "0123abcd.tar.gz")}", check.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"partial file: {Path.Combine(blobs, ".tmp-0123456789ab-feed")}", check.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"partial file: {Path.Combine(store, "index.json.tmp")}", check.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("5 problems found, 0 repaired, 5 remaining", check.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("ocibuild check --repair", check.StandardOutput, StringComparison.Ordinal);

        Assert.True(repair.ExitCode == 0, repair.ToString());
        Assert.Contains("5 problems found, 5 repaired, 0 remaining", repair.StandardOutput, StringComparison.Ordinal);
        Assert.True(recheck.ExitCode == 0, recheck.ToString());
        Assert.Contains("checked 1 images", recheck.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("0 problems found", recheck.StandardOutput, StringComparison.Ordinal);

        // The other image and every blob that verifies stay, including blobs only the removed image used.
        Assert.Contains(Runtime, images.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("runtime-deps", images.StandardOutput, StringComparison.Ordinal);
        blobsBefore.Remove(damagedConfig);
        Assert.Equal(blobsBefore.Order(), Directory.GetFiles(blobs).Select(Path.GetFileName).Order());
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(store, "tmp")));
        Assert.False(File.Exists(Path.Combine(store, "index.json.tmp")));

        var pullAgain = await _bed.OcibuildAsync(store, "pull", "--tls-verify=false", RuntimeDeps);
        Assert.True(pullAgain.ExitCode == 0, pullAgain.ToString());
    }

    [Fact]
    public async Task Check_reports_missing_layer()
    {
        string store = await PullAsync(RuntimeDeps);
        string layer = await FirstLayerDigestAsync(store, RuntimeDeps);
        File.Delete(Path.Combine(store, "blobs", "sha256", layer));

        var check = await _bed.OcibuildAsync(store, "check");
        var repair = await _bed.OcibuildAsync(store, "check", "--repair");
        var images = await _bed.OcibuildAsync(store, "images");

        Assert.True(check.ExitCode == 1, check.ToString());
        Assert.Contains($"layer sha256:{layer} is missing", check.StandardOutput, StringComparison.Ordinal);
        Assert.True(repair.ExitCode == 0, repair.ToString());
        Assert.DoesNotContain("runtime-deps", images.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_repairs_container_records_and_folders()
    {
        string store = await PullAsync(RuntimeDeps);
        await Ocibuild(store, "from", "--tls-verify=false", "--name", "kept", RuntimeDeps);
        await Ocibuild(store, "from", "--tls-verify=false", "--name", "lost-folder", RuntimeDeps);
        var lost = await Ocibuild(store, "containers", "--json");
        string lostId = ContainerId(lost.StandardOutput, "lost-folder");
        Directory.Delete(Path.Combine(store, "containers", lostId), recursive: true);
        string orphan = Path.Combine(store, "containers", new string('f', 64));
        Directory.CreateDirectory(Path.Combine(orphan, "rootfs", "etc"));
        await File.WriteAllTextAsync(Path.Combine(orphan, "rootfs", "etc", "hostname"), "half extracted");
        File.CreateSymbolicLink(Path.Combine(orphan, "rootfs", "host-tmp"), _bed.WorkDirectory);

        var check = await _bed.OcibuildAsync(store, "check");
        var repair = await _bed.OcibuildAsync(store, "check", "--repair");
        var containers = await Ocibuild(store, "containers");

        Assert.True(check.ExitCode == 1, check.ToString());
        Assert.Contains($"container without folder: container lost-folder ({lostId})", check.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"folder without container: {orphan}", check.StandardOutput, StringComparison.Ordinal);
        Assert.True(repair.ExitCode == 0, repair.ToString());
        Assert.False(Directory.Exists(orphan));
        Assert.True(Directory.Exists(_bed.WorkDirectory), "removing the orphan folder followed its symlink");
        Assert.Contains("kept", containers.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("lost-folder", containers.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repair_leaves_open_temporary_file()
    {
        string store = await PullAsync(RuntimeDeps);
        string building = Path.Combine(store, "tmp", "layer-being-built.tar.gz");

        // A publish writes its layer here before it takes the store lock.
        await using (var open = new FileStream(building, FileMode.CreateNew, FileAccess.Write))
        {
            var repair = await _bed.OcibuildAsync(store, "check", "--repair");

            Assert.True(repair.ExitCode == 0, repair.ToString());
            Assert.Contains($"in use, left alone: {building}", repair.StandardOutput, StringComparison.Ordinal);
            Assert.True(File.Exists(building));
        }

        var afterClose = await _bed.OcibuildAsync(store, "check", "--repair");
        Assert.Contains($"partial file: {building}", afterClose.StandardOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(building));
    }

    [Fact]
    public async Task Check_reports_unknown_file_without_removing()
    {
        string store = await PullAsync(RuntimeDeps);
        string unknown = Path.Combine(store, "blobs", "sha256", "notes.txt");
        await File.WriteAllTextAsync(unknown, "not a blob");

        var repair = await _bed.OcibuildAsync(store, "check", "--repair");

        Assert.True(repair.ExitCode == 1, repair.ToString());
        Assert.Contains($"unknown file: {unknown}", repair.StandardOutput, StringComparison.Ordinal);
        Assert.True(File.Exists(unknown));
    }

    private async Task<string> PullAsync(params string[] references)
    {
        string store = _bed.NewDirectory("check-store");
        foreach (string reference in references)
        {
            await Ocibuild(store, "pull", "--tls-verify=false", reference);
        }

        return store;
    }

    private async Task<ProcessResult> Ocibuild(string store, params string[] arguments)
    {
        var result = await _bed.OcibuildAsync(store, arguments);
        Assert.True(result.ExitCode == 0, $"ocibuild {string.Join(' ', arguments)} failed: {result}");
        return result;
    }

    private async Task<System.Text.Json.JsonElement> RawManifestAsync(string store, string reference)
    {
        var inspect = await ProcessRunner.RunCheckedAsync("skopeo", ["inspect", "--raw", $"oci:{store}:{reference}"]);
        return System.Text.Json.JsonDocument.Parse(inspect.StandardOutput).RootElement;
    }

    private async Task<string> ConfigDigestAsync(string store, string reference)
        => (await RawManifestAsync(store, reference)).GetProperty("config").GetProperty("digest").GetString()!["sha256:".Length..];

    private async Task<string> FirstLayerDigestAsync(string store, string reference)
        => (await RawManifestAsync(store, reference)).GetProperty("layers")[0].GetProperty("digest").GetString()!["sha256:".Length..];

    private static string ContainerId(string containersJson, string name)
    {
        using var document = System.Text.Json.JsonDocument.Parse(containersJson);
        return document.RootElement.EnumerateArray()
            .First(c => c.GetProperty("name").GetString() == name)
            .GetProperty("id").GetString()!;
    }
}
