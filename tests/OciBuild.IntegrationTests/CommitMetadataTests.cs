using OciBuild.Storage;

namespace OciBuild.IntegrationTests;

/// <summary>
/// Owners, modes and links that <c>ocibuild commit</c> keeps, with either storage driver, read back
/// with skopeo and umoci and with ocibuild itself; and the vfs driver through from, run, copy, commit and push.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class CommitMetadataTests
{
    // /etc/passwd exists in the image, so chown copies it up with a new owner and the same content.
    private const string ChangeScript =
        "echo f > /f && chown 1000:1000 /f && ln /f /f-link"
        + " && echo g > /g && chmod 4755 /g && ln /g /a-g"
        + " && mkdir -m 0700 /d && mkdir /sticky && chmod 1777 /sticky"
        + " && ln -s /g /g-symlink && chown 1000:1000 /etc/passwd && rm /etc/group && echo new > /home/app/new && mkfifo -m 0600 /pipe";

    // stat's %h is the hard link count, so that a link saved as a second copy shows up as 1. A directory's
    // count is left out ("-"), because overlayfs reports 1 for a directory merged from several layers.
    private const string StatFormat = "%n %u:%g %a %h %F";

    private static readonly string[] ExpectedStat =
    [
        "a-g 0:0 4755 2 regular file",
        "d 0:0 700 - directory",
        "etc/passwd 1000:1000 644 1 regular file",
        "f 1000:1000 644 2 regular file",
        "f-link 1000:1000 644 2 regular file",
        "g 0:0 4755 2 regular file",
        "g-symlink 0:0 777 1 symbolic link",

        // The image's app user owns /home/app, and a new file inside must not give it to root.
        "home/app 1654:1654 750 - directory",
        "pipe 0:0 600 1 fifo",
        "sticky 0:0 1777 - directory",
    ];

    private readonly TestBed _bed;

    public CommitMetadataTests(TestBed bed)
    {
        _bed = bed;
    }

    private string RuntimeDepsImage => $"{_bed.Registry.Address}/dotnet/runtime-deps:10.0";

    [Theory]
    [InlineData(StorageDriverName.Overlay, RootfsKind.Overlay)]
    [InlineData(StorageDriverName.Vfs, RootfsKind.Copy)]
    public async Task Commit_keeps_owners_modes_and_links(string driver, RootfsKind expectedKind)
    {
        string store = _bed.NewDirectory("store");
        string reference = $"{_bed.Registry.Address}/commit-metadata-{driver}:1";
        string container = await FromAsync(store, RuntimeDepsImage, "--storage-driver", driver);
        var run = await _bed.OcibuildAsync(store, "run", container, "--", "sh", "-c", ChangeScript);
        Assert.True(run.ExitCode == 0, run.ToString());

        var commit = await _bed.OcibuildAsync(store, "commit", "--tls-verify=false", container, $"docker://{reference}");
        Assert.True(commit.ExitCode == 0, commit.ToString());
        string layout = Path.Combine(_bed.NewDirectory("layout"), "oci");
        string bundle = Path.Combine(_bed.NewDirectory("bundle"), "b");
        await ProcessRunner.RunCheckedAsync("skopeo", ["copy", "--src-tls-verify=false", $"docker://{reference}", $"oci:{layout}:committed"]);
        await ProcessRunner.RunCheckedAsync("umoci", ["unpack", "--image", $"{layout}:committed", bundle]);
        string rootfs = Path.Combine(bundle, "rootfs");
        var unpacked = await ProcessRunner.RunCheckedAsync("stat", ["-c", StatFormat, .. ExpectedStat.Select(line => line.Split(' ')[0])], rootfs);

        string committed = await FromAsync(store, reference);
        var inside = await _bed.OcibuildAsync(store, ["run", "--workingdir", "/", committed, "--", "stat", "-c", StatFormat, .. ExpectedStat.Select(line => line.Split(' ')[0])]);

        Assert.Equal(expectedKind, new LocalImageStore(store).FindContainer(container).RootfsKind);
        Assert.Equal(ExpectedStat, Lines(unpacked.StandardOutput));
        Assert.False(File.Exists(Path.Combine(rootfs, "etc", "group")), "the deleted /etc/group came back: its whiteout is missing");
        Assert.True(inside.ExitCode == 0, inside.ToString());
        Assert.Equal(ExpectedStat, Lines(inside.StandardOutput));
    }

    [Fact]
    public async Task Vfs_driver_runs_from_run_copy_commit_push()
    {
        string store = _bed.NewDirectory("store");
        string files = _bed.NewDirectory("files");
        File.WriteAllText(Path.Combine(files, "note.txt"), "copied in\n");
        string reference = $"{_bed.Registry.Address}/vfs-driver:1";
        var environment = new Dictionary<string, string?> { ["OCIBUILD_STORAGE"] = store, ["OCIBUILD_STORAGE_DRIVER"] = StorageDriverName.Vfs };

        var from = await ProcessRunner.RunAsync(RepositoryPaths.Ocibuild, ["from", "--tls-verify=false", RuntimeDepsImage], _bed.WorkDirectory, environment);
        Assert.True(from.ExitCode == 0, from.ToString());
        string container = from.StandardOutput.Trim();
        var run = await _bed.OcibuildAsync(store, "run", container, "--", "sh", "-c", "echo ran > /ran.txt && rm /etc/group");
        var copy = await _bed.OcibuildAsync(store, "copy", container, Path.Combine(files, "note.txt"), "/srv/");
        var mount = await _bed.OcibuildAsync(store, "mount", container);
        var commit = await _bed.OcibuildAsync(store, "commit", container, "vfs-committed:1");
        var push = await _bed.OcibuildAsync(store, "push", "--tls-verify=false", "vfs-committed:1", $"docker://{reference}");
        string pulledStore = _bed.NewDirectory("store");
        string pulled = await FromAsync(pulledStore, reference);
        var check = await _bed.OcibuildAsync(pulledStore, "run", pulled, "--", "sh", "-c", "cat /ran.txt /srv/note.txt && test ! -e /etc/group");

        Assert.Equal(RootfsKind.Copy, new LocalImageStore(store).FindContainer(container).RootfsKind);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.True(mount.ExitCode == 0, mount.ToString());
        Assert.DoesNotContain(mount.StandardOutput.Trim(), File.ReadAllText("/proc/self/mountinfo"));
        Assert.True(commit.ExitCode == 0, commit.ToString());
        Assert.True(push.ExitCode == 0, push.ToString());
        Assert.Equal(2, (await Skopeo.ManifestAsync(reference)).GetProperty("layers").GetArrayLength());
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Equal("ran\ncopied in\n", check.StandardOutput);
    }

    [Fact]
    public async Task Unknown_storage_driver_is_rejected()
    {
        string store = _bed.NewDirectory("store");

        var from = await _bed.OcibuildAsync(store, "from", "--storage-driver", "zfs", "scratch");

        Assert.NotEqual(0, from.ExitCode);
        Assert.Contains("invalid storage driver \"zfs\" in --storage-driver: use overlay or vfs", from.StandardError);
        Assert.Contains("OCIB1010", from.StandardError);
        Assert.Empty(new LocalImageStore(store).ListContainers());
    }

    [Fact]
    public async Task Overlay_driver_fails_without_root()
    {
        var folder = Directory.CreateTempSubdirectory("ocibuild-nobody-");
        try
        {
            folder.UnixFileMode = (UnixFileMode)0b111_111_111;
            string store = Path.Combine(folder.FullName, "store");

            var from = await RunAsNobodyAsync(folder.FullName, store, "from", "--storage-driver", "overlay", "scratch");

            Assert.Equal(1, from.ExitCode);
            Assert.Contains("only root can mount overlayfs", from.StandardError);
            Assert.Contains("[OCIB5110]", from.StandardError);
            Assert.Empty(new LocalImageStore(store).ListContainers());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Unprivileged_commit_keeps_root_owner()
    {
        var folder = Directory.CreateTempSubdirectory("ocibuild-nobody-");
        try
        {
            folder.UnixFileMode = (UnixFileMode)0b111_111_111;
            string store = Path.Combine(folder.FullName, "store");
            string file = Path.Combine(folder.FullName, "hello.txt");
            File.WriteAllText(file, "hello\n");
            File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);

            var from = await RunAsNobodyAsync(folder.FullName, store, "from", "scratch");
            string container = from.StandardOutput.Trim();
            var copy = await RunAsNobodyAsync(folder.FullName, store, "copy", container, file, "/data/");
            var commit = await RunAsNobodyAsync(folder.FullName, store, "commit", container, "nobody:1");
            var entries = await ReadTopLayerAsync(store, "localhost/nobody:1");

            Assert.True(from.ExitCode == 0, from.ToString());
            Assert.True(copy.ExitCode == 0, copy.ToString());
            Assert.True(commit.ExitCode == 0, commit.ToString());
            Assert.Equal(["data/", "data/hello.txt"], entries.Select(e => e.Name));
            Assert.All(entries, e => Assert.Equal((0, 0), (e.Uid, e.Gid)));
            Assert.Equal((UnixFileMode)0b110_100_100, entries[1].Mode);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    // The test bed's folder is private to root, so the unprivileged user (nobody, 65534) gets a folder of its own.
    private static Task<ProcessResult> RunAsNobodyAsync(string home, string store, params string[] arguments)
        => ProcessRunner.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "env", $"HOME={home}", $"OCIBUILD_STORAGE={store}", RepositoryPaths.Ocibuild, .. arguments]);

    private static async Task<List<System.Formats.Tar.TarEntry>> ReadTopLayerAsync(string store, string imageName)
    {
        var local = new LocalImageStore(store);
        var image = await local.GetImageAsync(imageName, CancellationToken.None);
        var top = (await local.ReadManifestAsync(image.Manifest.Digest, CancellationToken.None)).Layers[^1];
        await using var blob = local.Blobs.Open(top.Digest, top.Size);
        await using var tar = new System.IO.Compression.GZipStream(blob, System.IO.Compression.CompressionMode.Decompress);
        var reader = new System.Formats.Tar.TarReader(tar);
        var entries = new List<System.Formats.Tar.TarEntry>();
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            entries.Add(entry);
        }

        return entries;
    }

    private async Task<string> FromAsync(string store, string image, params string[] options)
    {
        var from = await _bed.OcibuildAsync(store, ["from", "--tls-verify=false", .. options, image]);
        Assert.True(from.ExitCode == 0, from.ToString());
        return from.StandardOutput.Trim();
    }

    private static string[] Lines(string output)
        => output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.EndsWith(" directory", StringComparison.Ordinal) ? HideLinkCount(line) : line)
            .Order(StringComparer.Ordinal)
            .ToArray();

    private static string HideLinkCount(string line)
    {
        string[] fields = line.Split(' ');
        fields[3] = "-";
        return string.Join(' ', fields);
    }

    private static class StorageDriverName
    {
        public const string Overlay = "overlay";
        public const string Vfs = "vfs";
    }
}
