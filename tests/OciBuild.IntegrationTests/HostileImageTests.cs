using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace OciBuild.IntegrationTests;

/// <summary>Images with layers that aim outside the rootfs, served by a real registry and pulled with <c>ocibuild from</c>.</summary>
[Collection(TestBedCollection.Name)]
public sealed class HostileImageTests
{
    private readonly TestBed _bed;

    public HostileImageTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task From_rejects_parent_climbing_entry()
    {
        string marker = "escaped-" + Guid.NewGuid().ToString("N");
        string image = await PushImageAsync("hostile/climb", File("ok.txt", "fine"), File($"../../../{marker}", "outside"));
        string store = _bed.NewDirectory("hostile-store");

        var from = await _bed.OcibuildAsync(store, "from", "--tls-verify=false", image);
        var repair = await _bed.OcibuildAsync(store, "check", "--repair");
        var containers = await _bed.OcibuildAsync(store, "containers");

        Assert.Equal(1, from.ExitCode);
        Assert.Contains("OCIB4001", from.StandardError, StringComparison.Ordinal);
        Assert.Contains($"entry \"../../../{marker}\"", from.StandardError, StringComparison.Ordinal);
        Assert.Contains($"of {image} (sha256:", from.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", from.StandardError, StringComparison.Ordinal);
        Assert.Empty(FindFiles(_bed.WorkDirectory, marker));
        Assert.True(repair.ExitCode == 0, repair.ToString());
        Assert.DoesNotContain("climb", containers.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task From_keeps_symlinked_writes_inside_rootfs()
    {
        string marker = "redirected-" + Guid.NewGuid().ToString("N");
        var link = new PaxTarEntry(TarEntryType.SymbolicLink, "up") { LinkName = "../../../../../../..", ModificationTime = DateTimeOffset.UnixEpoch };
        string image = await PushImageAsync("hostile/symlink", link, File($"up/{marker}", "inside after all"));
        string store = _bed.NewDirectory("hostile-store");

        var from = await _bed.OcibuildAsync(store, "from", "--tls-verify=false", "--name", "symlinked", image);

        Assert.True(from.ExitCode == 0, from.ToString());
        var written = FindFiles(_bed.WorkDirectory, marker);
        string only = Assert.Single(written);
        Assert.StartsWith(store + Path.DirectorySeparatorChar, only, StringComparison.Ordinal);

        // The file sits in the layer cache or the rootfs copy; either way the container sees it at its root.
        var mount = await _bed.OcibuildAsync(store, "mount", "symlinked");
        Assert.True(mount.ExitCode == 0, mount.ToString());
        bool visible = System.IO.File.Exists(Path.Combine(mount.StandardOutput.Trim(), marker));
        await _bed.OcibuildAsync(store, "umount", "symlinked");
        Assert.True(visible, $"{marker} is not at the container's root");
    }

    // Searches without following symlinks, because the hostile layer's link points at the host's root.
    private static string[] FindFiles(string directory, string name)
        => Directory.GetFiles(directory, name, new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true });

    private static PaxTarEntry File(string name, string content)
        => new(TarEntryType.RegularFile, name)
        {
            Mode = (UnixFileMode)0b110_100_100,
            ModificationTime = DateTimeOffset.UnixEpoch,
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
        };

    // Writes a one-layer image as an OCI layout and copies it to the test registry with skopeo, so
    // the registry serves exactly the bytes written here.
    private async Task<string> PushImageAsync(string repository, params TarEntry[] entries)
    {
        string layout = Path.Combine(_bed.NewDirectory("hostile-layout"), "layout");
        string blobs = Path.Combine(layout, "blobs", "sha256");
        Directory.CreateDirectory(blobs);

        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                writer.WriteEntry(entry);
            }
        }

        var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(tar.ToArray());
        }

        string diffId = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar.ToArray()));
        var layer = await WriteBlobAsync(blobs, gzipped.ToArray());
        var config = await WriteBlobAsync(blobs, Encoding.UTF8.GetBytes(
            "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/ok.txt\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}"));
        var manifest = await WriteBlobAsync(blobs, Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":" + Descriptor("application/vnd.oci.image.config.v1+json", config) + ",\"layers\":[" + Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer) + "]}"));
        await System.IO.File.WriteAllTextAsync(Path.Combine(layout, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        await System.IO.File.WriteAllTextAsync(Path.Combine(layout, "index.json"),
            "{\"schemaVersion\":2,\"manifests\":[" + Descriptor("application/vnd.oci.image.manifest.v1+json", manifest)[..^1] + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"hostile\"}}]}");

        string image = $"{_bed.Registry.Address}/{repository}:1";
        await ProcessRunner.RunCheckedAsync("skopeo", ["copy", "--dest-tls-verify=false", $"oci:{layout}:hostile", $"docker://{image}"]);
        return image;
    }

    private static string Descriptor(string mediaType, (string Digest, long Size) blob)
        => $"{{\"mediaType\":\"{mediaType}\",\"digest\":\"{blob.Digest}\",\"size\":{blob.Size}}}";

    private static async Task<(string Digest, long Size)> WriteBlobAsync(string blobs, byte[] content)
    {
        string hex = Convert.ToHexStringLower(SHA256.HashData(content));
        await System.IO.File.WriteAllBytesAsync(Path.Combine(blobs, hex), content);
        return ("sha256:" + hex, content.Length);
    }
}
