using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using OciBuild.Core;
using OciBuild.Storage;

namespace OciBuild.IntegrationTests;

/// <summary>The layer cache, overlay rootfs and the commit, config, copy, add and mount verbs, driven through the CLI.</summary>
[Collection(TestBedCollection.Name)]
public sealed class WorkingContainerTests
{
    private readonly TestBed _bed;

    public WorkingContainerTests(TestBed bed)
    {
        _bed = bed;
    }

    private string RuntimeDepsImage => $"{_bed.Registry.Address}/dotnet/runtime-deps:10.0";

    [Fact]
    public async Task Second_from_reuses_cached_layers()
    {
        string store = _bed.NewDirectory("store");

        string first = await FromAsync(store, _bed.BaseImage);
        var cachedAfterFirst = LayerCacheEntries(store);
        string second = await FromAsync(store, _bed.BaseImage);
        var containers = new LocalImageStore(store).ListContainers();
        var image = await new LocalImageStore(store).GetImageAsync(_bed.BaseImage, CancellationToken.None);
        var config = await new LocalImageStore(store).ReadConfigAsync(image.Id, CancellationToken.None);

        Assert.NotEqual(first, second);
        Assert.Equal(config.RootFs.DiffIds.Select(d => d.Encoded).Order(), cachedAfterFirst.Order());
        Assert.Equal(cachedAfterFirst, LayerCacheEntries(store));
        Assert.All(containers, c => Assert.Equal(RootfsKind.Overlay, c.RootfsKind));
        Assert.All(containers, c => Assert.Equal(config.RootFs.DiffIds, c.Layers));
    }

    [Fact]
    public async Task Run_leaves_overlay_unmounted()
    {
        string store = _bed.NewDirectory("store");
        string container = await FromAsync(store, RuntimeDepsImage);

        var run = await _bed.OcibuildAsync(store, "run", container, "--", "sh", "-c", "echo written > /file");
        var mounted = await _bed.OcibuildAsync(store, "mount");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", mounted.StandardOutput);
        Assert.Equal("written\n", File.ReadAllText(Path.Combine(UpperDirectory(store, container), "file")));
    }

    [Fact]
    public async Task Commit_writes_whiteouts_for_deletions()
    {
        string store = _bed.NewDirectory("store");
        string container = await FromAsync(store, RuntimeDepsImage);
        var run = await _bed.OcibuildAsync(store, "run", container, "--", "sh", "-c",
            "rm /etc/group && echo new > /new && rm -r /home/app && mkdir /home/app && echo x > /home/app/x");
        Assert.True(run.ExitCode == 0, run.ToString());

        var commit = await _bed.OcibuildAsync(store, "commit", container, "whiteouts");
        Assert.True(commit.ExitCode == 0, commit.ToString());
        var names = await ReadTopLayerNamesAsync(store, "localhost/whiteouts:latest");
        string committed = await FromAsync(store, "whiteouts");
        var check = await _bed.OcibuildAsync(store, "run", committed, "--", "sh", "-c", "test ! -e /etc/group && cat /new /home/app/x && ls /home/app");

        Assert.Contains("etc/.wh.group", names);
        Assert.Contains("new", names);
        Assert.Contains("home/app/.wh..wh..opq", names);
        Assert.Contains("home/app/x", names);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Equal("new\nx\nx\n", check.StandardOutput);
    }

    [Fact]
    public async Task Config_and_files_reach_committed_image()
    {
        string store = _bed.NewDirectory("store");
        string files = _bed.NewDirectory("files");
        File.WriteAllText(Path.Combine(files, "greeting.txt"), "hello from copy\n");
        string archive = Path.Combine(files, "bundle.tar.gz");
        WriteTarGz(archive, ("bundle/data.txt", "from the archive\n"));
        string container = await FromAsync(store, RuntimeDepsImage);

        var copy = await _bed.OcibuildAsync(store, "copy", container, Path.Combine(files, "greeting.txt"), "/srv/");
        var add = await _bed.OcibuildAsync(store, "add", container, archive, "/opt");
        var config = await _bed.OcibuildAsync(store, "config", "--cmd", "[\"sh\",\"-c\",\"cat /srv/greeting.txt /opt/bundle/data.txt; echo $GREETING\"]",
            "--env", "GREETING=from env", "--label", "stage=test", "--port", "8080", "--workingdir", "/srv", container);
        var commit = await _bed.OcibuildAsync(store, "commit", container, "configured:1");
        string committed = await FromAsync(store, "configured:1");
        var run = await _bed.OcibuildAsync(store, "run", committed);
        var inspect = await _bed.OcibuildAsync(store, "inspect", "--config", "configured:1");

        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.True(add.ExitCode == 0, add.ToString());
        Assert.True(config.ExitCode == 0, config.ToString());
        Assert.True(commit.ExitCode == 0, commit.ToString());
        Assert.Equal("hello from copy\nfrom the archive\nfrom env\n", run.StandardOutput);
        using var document = JsonDocument.Parse(inspect.StandardOutput);
        var settings = document.RootElement.GetProperty("config");
        Assert.Equal("test", settings.GetProperty("Labels").GetProperty("stage").GetString());
        Assert.True(settings.GetProperty("ExposedPorts").TryGetProperty("8080/tcp", out _));
        Assert.Equal("/srv", settings.GetProperty("WorkingDir").GetString());
        var stored = await new LocalImageStore(store).GetImageAsync("configured:1", CancellationToken.None);
        Assert.Equal(stored.Id.Encoded, commit.StandardOutput.Trim());
    }

    [Fact]
    public async Task Mount_keeps_rootfs_until_umount()
    {
        string store = _bed.NewDirectory("store");
        string container = await FromAsync(store, RuntimeDepsImage);

        var mount = await _bed.OcibuildAsync(store, "mount", container);
        string path = mount.StandardOutput.Trim();
        bool busyboxVisible = File.Exists(Path.Combine(path, "usr", "bin", "busybox"));
        var umount = await _bed.OcibuildAsync(store, "umount", container);

        Assert.True(mount.ExitCode == 0, mount.ToString());
        Assert.True(busyboxVisible, $"{path} shows no usr/bin/busybox while mounted");
        Assert.True(umount.ExitCode == 0, umount.ToString());
        Assert.False(File.Exists(Path.Combine(path, "usr", "bin", "busybox")), $"{path} still shows the image after umount");
    }

    [Fact]
    public async Task Rm_unmounts_and_removes_container()
    {
        string store = _bed.NewDirectory("store");
        string container = await FromAsync(store, RuntimeDepsImage);
        string path = (await _bed.OcibuildAsync(store, "mount", container)).StandardOutput.Trim();

        var rm = await _bed.OcibuildAsync(store, "rm", container);

        Assert.True(rm.ExitCode == 0, rm.ToString());
        Assert.False(Directory.Exists(path), $"{path} still exists after rm");
        Assert.DoesNotContain(path, File.ReadAllText("/proc/self/mountinfo"));
    }

    [Fact]
    public async Task Rmi_keeps_layers_other_images_use()
    {
        string store = _bed.NewDirectory("store");
        var rm = await _bed.OcibuildAsync(store, "rm", await FromAsync(store, RuntimeDepsImage), await FromAsync(store, _bed.BaseImage));
        Assert.True(rm.ExitCode == 0, rm.ToString());
        var local = new LocalImageStore(store);
        var depsLayers = (await local.ReadConfigAsync((await local.GetImageAsync(RuntimeDepsImage, CancellationToken.None)).Id, CancellationToken.None)).RootFs.DiffIds;
        var runtimeLayers = (await local.ReadConfigAsync((await local.GetImageAsync(_bed.BaseImage, CancellationToken.None)).Id, CancellationToken.None)).RootFs.DiffIds;

        var rmi = await _bed.OcibuildAsync(store, "rmi", _bed.BaseImage);

        Assert.True(rmi.ExitCode == 0, rmi.ToString());
        Assert.Equal(depsLayers.Select(d => d.Encoded).Order(), LayerCacheEntries(store).Order());
        Assert.Contains(runtimeLayers, d => !depsLayers.Contains(d));
    }

    [Fact]
    public async Task Forced_rmi_keeps_container_layers()
    {
        string store = _bed.NewDirectory("store");
        string container = await FromAsync(store, RuntimeDepsImage);
        var cached = LayerCacheEntries(store);

        var rmi = await _bed.OcibuildAsync(store, "rmi", "--force", RuntimeDepsImage);
        var run = await _bed.OcibuildAsync(store, "run", container, "--", "cat", "/etc/passwd");
        var cachedAfterRmi = LayerCacheEntries(store);
        var rm = await _bed.OcibuildAsync(store, "rm", container);

        Assert.True(rmi.ExitCode == 0, rmi.ToString());
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("root:", run.StandardOutput);
        Assert.Equal(cached, cachedAfterRmi);
        Assert.True(rm.ExitCode == 0, rm.ToString());
        Assert.Empty(LayerCacheEntries(store));
    }

    [Fact]
    public async Task From_scratch_commits_only_copied_files()
    {
        string store = _bed.NewDirectory("store");
        string files = _bed.NewDirectory("files");
        File.WriteAllText(Path.Combine(files, "only.txt"), "only file\n");
        string container = await FromAsync(store, "scratch");

        var copy = await _bed.OcibuildAsync(store, "copy", container, Path.Combine(files, "only.txt"), "/data/only.txt");
        var commit = await _bed.OcibuildAsync(store, "commit", container, "tiny");
        var names = await ReadTopLayerNamesAsync(store, "localhost/tiny:latest");

        Assert.Equal("scratch-working-container", container);
        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.True(commit.ExitCode == 0, commit.ToString());
        Assert.Equal(["data/", "data/only.txt"], names);
    }

    private async Task<string> FromAsync(string store, string image)
    {
        var from = await _bed.OcibuildAsync(store, "from", "--tls-verify=false", image);
        Assert.True(from.ExitCode == 0, from.ToString());
        return from.StandardOutput.Trim();
    }

    private static List<string> LayerCacheEntries(string store)
        => Directory.GetDirectories(Path.Combine(store, "layers")).Select(Path.GetFileName).OfType<string>().ToList();

    private static string UpperDirectory(string store, string containerName)
    {
        var local = new LocalImageStore(store);
        return ContainerRootfs.GetUpperDirectory(local, local.FindContainer(containerName).Id);
    }

    private static async Task<List<string>> ReadTopLayerNamesAsync(string store, string imageName)
    {
        var local = new LocalImageStore(store);
        var image = await local.GetImageAsync(imageName, CancellationToken.None);
        var manifest = await local.ReadManifestAsync(image.Manifest.Digest, CancellationToken.None);
        var top = manifest.Layers[^1];
        await using var blob = local.Blobs.Open(top.Digest, top.Size);
        await using var tar = new GZipStream(blob, CompressionMode.Decompress);
        var reader = new TarReader(tar);
        var names = new List<string>();
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            names.Add(entry.Name);
        }

        return names;
    }

    private static void WriteTarGz(string path, params (string Name, string Content)[] files)
    {
        using var output = File.Create(path);
        using var gzip = new GZipStream(output, CompressionLevel.Fastest);
        using var writer = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach (var (name, content) in files)
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
            {
                DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)),
                Mode = (UnixFileMode)0b110_100_100,
            };
            writer.WriteEntry(entry);
        }
    }
}
