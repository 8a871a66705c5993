using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using OciBuild.Core;

namespace OciBuild.Cli.Runtime;

/// <summary>
/// Writes an OCI runtime bundle: <c>config.json</c> plus the <c>hostname</c>, <c>hosts</c> and (for
/// <see cref="NetworkMode.Host"/>) <c>resolv.conf</c> files that are mounted under the container's <c>/etc</c>.
/// The rootfs stays where it is because the spec's root path is absolute.
/// </summary>
/// <remarks>
/// The <c>/etc</c> files are bind-mounted from the bundle instead of written into the rootfs. The
/// rootfs is a working container that may later become an image layer, and files that describe one
/// run (its hostname, the host's DNS servers) must not end up in that layer. Bind mounts also let the
/// run see the right values when the image already has these files, without changing them.
/// </remarks>
public static class RuntimeBundle
{
    public const string ConfigFileName = "config.json";

    /// <summary>
    /// JSON options for <c>config.json</c>: indented, and with quotes, '&amp;' and '+' left unescaped so
    /// that arguments such as <c>sh -c 'a &amp;&amp; b'</c> read as written in the file and in the debug log.
    /// </summary>
    internal static readonly JsonSerializerOptions IndentedJson = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Builds the spec with <see cref="RuntimeSpecBuilder.Build"/>, adds the <c>/etc</c> bind mounts,
    /// writes everything into <paramref name="bundleDirectory"/> (which must exist) and returns the spec.
    /// </summary>
    public static JsonObject Write(string bundleDirectory, string rootfsPath, ImageConfig image, RunOptions options)
    {
        JsonObject spec = RuntimeSpecBuilder.Build(rootfsPath, image, options);
        string hostname = spec["hostname"]!.GetValue<string>();
        JsonArray mounts = spec["mounts"]!.AsArray();

        // runc resolves a relative bind-mount source against the bundle directory (runc 1.1.5 does), so the
        // spec stays valid wherever the bundle is.
        File.WriteAllText(Path.Join(bundleDirectory, "hostname"), hostname + "\n");
        mounts.Add(RuntimeSpecBuilder.Mount("/etc/hostname", "bind", "hostname", "rbind", "rw"));

        File.WriteAllText(Path.Join(bundleDirectory, "hosts"), BuildHostsFile(rootfsPath, hostname));
        mounts.Add(RuntimeSpecBuilder.Mount("/etc/hosts", "bind", "hosts", "rbind", "rw"));

        // Only a container on the host's network can reach the host's name servers. Elsewhere the image's
        // own resolv.conf stays visible, which does no harm on a network with only loopback.
        if (options.Network == NetworkMode.Host && File.Exists("/etc/resolv.conf"))
        {
            File.Copy("/etc/resolv.conf", Path.Join(bundleDirectory, "resolv.conf"), overwrite: true);
            mounts.Add(RuntimeSpecBuilder.Mount("/etc/resolv.conf", "bind", "resolv.conf", "rbind", "rw"));
        }

        File.WriteAllText(Path.Join(bundleDirectory, ConfigFileName), spec.ToJsonString(IndentedJson));
        return spec;
    }

    /// <summary>
    /// Returns the image's <c>/etc/hosts</c> with entries added for localhost and for
    /// <paramref name="hostname"/> when the image's file lacks them, so that both names resolve to
    /// loopback on every network mode.
    /// </summary>
    internal static string BuildHostsFile(string rootfsPath, string hostname)
    {
        string imageHostsPath = RootfsPath.Resolve(rootfsPath, "/etc/hosts");
        List<string> lines = File.Exists(imageHostsPath) ? [.. File.ReadAllLines(imageHostsPath)] : [];
        HashSet<string> names = lines
            .Select(line => line.Split('#', 2)[0].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length > 1)
            .SelectMany(fields => fields.Skip(1))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        if (!names.Contains("localhost"))
        {
            lines.Add("127.0.0.1\tlocalhost");
            lines.Add("::1\tlocalhost ip6-localhost ip6-loopback");
        }

        if (!names.Contains(hostname))
        {
            lines.Add($"127.0.0.1\t{hostname}");
        }

        var text = new StringBuilder();
        foreach (string line in lines)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }
}
