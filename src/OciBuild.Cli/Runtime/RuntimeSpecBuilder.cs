using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Cli.Runtime;

/// <summary>
/// Builds the OCI runtime configuration (<c>config.json</c> of a bundle, runtime-spec 1.0.2) that runs
/// an image's rootfs the way container engines do: default capabilities, private namespaces and the
/// usual masked paths. The spec sets no cgroup resources and no cgroupsPath, so runc applies no limits
/// and picks the cgroup itself. A local run needs no limits, and leaving them out keeps the run
/// independent of how the host's cgroups are set up (v1, v2 or hybrid).
/// </summary>
public static partial class RuntimeSpecBuilder
{
    public const string OciVersion = "1.0.2";

    /// <summary>The PATH container engines set when the image sets none.</summary>
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>
    /// The capabilities a container gets by default: Podman's default set. Docker's default set also
    /// contains CAP_AUDIT_WRITE, CAP_MKNOD and CAP_NET_RAW.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultCapabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE",
        "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
    ];

    /// <summary>Kernel files that leak host details or allow host-wide changes, hidden from the container.</summary>
    private static readonly string[] MaskedPaths =
    [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/sched_debug",
        "/proc/scsi", "/proc/timer_list", "/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware",
    ];

    private static readonly string[] ReadonlyPaths =
    [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ];

    /// <summary>
    /// Builds the runtime spec for running <paramref name="image"/>'s process on <paramref name="rootfsPath"/>.
    /// Reads <c>/etc/passwd</c> and <c>/etc/group</c> from the rootfs to resolve user names and
    /// writes nothing. Raises <see cref="OciException"/> with <see cref="ErrorCodes.InvalidArgument"/>
    /// when there is no command to run or an option is invalid.
    /// </summary>
    public static JsonObject Build(string rootfsPath, ImageConfig image, RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(rootfsPath);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        if (!Directory.Exists(rootfsPath))
        {
            throw new OciException(ErrorCodes.InvalidArgument,
                $"the rootfs directory {Path.GetFullPath(rootfsPath)} does not exist; unpack the image or create the working container first");
        }

        ContainerConfig config = image.Config ?? new ContainerConfig();
        string hostname = options.Hostname ?? "localhost";
        if (!HostnamePattern().IsMatch(hostname))
        {
            throw new OciException(ErrorCodes.InvalidArgument,
                $"invalid hostname \"{hostname}\": use 1 to 64 letters, digits, '.', '-' or '_'");
        }

        return new JsonObject
        {
            ["ociVersion"] = OciVersion,
            ["process"] = BuildProcess(rootfsPath, config, options, hostname),
            ["root"] = new JsonObject
            {
                ["path"] = Path.GetFullPath(rootfsPath),
                ["readonly"] = false,
            },
            ["hostname"] = hostname,
            ["mounts"] = BuildMounts(options.Mounts),
            ["linux"] = BuildLinux(options.Network),
        };
    }

    private static JsonObject BuildProcess(string rootfsPath, ContainerConfig config, RunOptions options, string hostname)
    {
        IReadOnlyList<string> args = options.Args ?? [.. config.Entrypoint ?? [], .. config.Cmd ?? []];
        if (args.Count == 0)
        {
            throw new OciException(ErrorCodes.InvalidArgument, "the image has no Entrypoint or Cmd; pass a command");
        }

        string cwd = options.WorkingDirectory ?? (string.IsNullOrEmpty(config.WorkingDir) ? "/" : config.WorkingDir);
        if (!cwd.StartsWith('/'))
        {
            throw new OciException(ErrorCodes.InvalidArgument,
                $"invalid working directory \"{cwd}\": it must be an absolute path inside the container");
        }

        ContainerUser user = ContainerUser.Resolve(rootfsPath, options.User ?? config.User);
        var capabilities = new JsonArray([.. DefaultCapabilities.Select(name => JsonValue.Create(name))]);

        return new JsonObject
        {
            ["terminal"] = options.Terminal,
            ["user"] = new JsonObject
            {
                ["uid"] = user.Uid,
                ["gid"] = user.Gid,
                ["additionalGids"] = new JsonArray([.. user.AdditionalGids.Select(gid => JsonValue.Create(gid))]),
            },
            ["args"] = new JsonArray([.. args.Select(arg => JsonValue.Create(arg))]),
            ["env"] = new JsonArray([.. MergeEnvironment(config.Env, options, hostname).Select(entry => JsonValue.Create(entry))]),
            ["cwd"] = cwd,
            ["capabilities"] = new JsonObject
            {
                ["bounding"] = capabilities.DeepClone(),
                ["effective"] = capabilities.DeepClone(),
                ["permitted"] = capabilities,
            },
            ["rlimits"] = new JsonArray(new JsonObject { ["type"] = "RLIMIT_NOFILE", ["hard"] = 1024, ["soft"] = 1024 }),
            ["noNewPrivileges"] = true,
        };
    }

    /// <summary>
    /// Merges the environment in this order: the image's Env, HOSTNAME, PATH and TERM defaults, then
    /// <see cref="RunOptions.Env"/>. A variable keeps the position where it first appears and takes
    /// the last value given for it.
    /// </summary>
    internal static List<string> MergeEnvironment(IEnumerable<string>? imageEnv, RunOptions options, string hostname)
    {
        var names = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        void Set(string name, string value)
        {
            if (!values.ContainsKey(name))
            {
                names.Add(name);
            }

            values[name] = value;
        }

        foreach (string entry in imageEnv ?? [])
        {
            (string name, string value) = SplitEnvironmentEntry(entry, invalid =>
                $"the image's Env contains \"{invalid}\", which is not NAME=value; fix the image or set that variable with a NAME=value override");
            Set(name, value);
        }

        // The image cannot know the hostname of this run, so its HOSTNAME (if any) is replaced.
        Set("HOSTNAME", hostname);
        if (!values.ContainsKey("PATH"))
        {
            Set("PATH", DefaultPath);
        }

        if (options.Terminal && !values.ContainsKey("TERM"))
        {
            Set("TERM", "xterm");
        }

        foreach (string entry in options.Env)
        {
            (string name, string value) = SplitEnvironmentEntry(entry, invalid => $"invalid environment variable \"{invalid}\": expected NAME=value");
            Set(name, value);
        }

        return names.Select(name => $"{name}={values[name]}").ToList();
    }

    private static (string Name, string Value) SplitEnvironmentEntry(string entry, Func<string, string> describeError)
    {
        int equals = entry.IndexOf('=');
        if (equals <= 0)
        {
            throw new OciException(ErrorCodes.InvalidArgument, describeError(entry));
        }

        return (entry[..equals], entry[(equals + 1)..]);
    }

    private static JsonArray BuildMounts(IReadOnlyList<BindMount> binds)
    {
        var mounts = new JsonArray
        {
            Mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"),
            Mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
            Mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
            Mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
            Mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
            Mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
        };

        foreach (BindMount bind in binds)
        {
            string source = Path.GetFullPath(bind.Source);
            if (!File.Exists(source) && !Directory.Exists(source))
            {
                throw new OciException(ErrorCodes.InvalidArgument,
                    $"invalid bind mount {bind.Source}:{bind.Destination}: the source {source} does not exist on the host");
            }

            if (!bind.Destination.StartsWith('/'))
            {
                throw new OciException(ErrorCodes.InvalidArgument,
                    $"invalid bind mount {bind.Source}:{bind.Destination}: the destination must be an absolute path inside the container");
            }

            mounts.Add(Mount(bind.Destination, "bind", source, "rbind", bind.ReadOnly ? "ro" : "rw"));
        }

        return mounts;
    }

    /// <summary>Creates a mount entry. A bind mount's <paramref name="source"/> may be relative to the bundle directory.</summary>
    internal static JsonObject Mount(string destination, string type, string source, params string[] options) => new()
    {
        ["destination"] = destination,
        ["type"] = type,
        ["source"] = source,
        ["options"] = new JsonArray([.. options.Select(option => JsonValue.Create(option))]),
    };

    private static JsonObject BuildLinux(NetworkMode network)
    {
        var namespaces = new JsonArray();
        var types = new List<string> { "pid", "ipc", "uts", "mount" };
        if (network != NetworkMode.Host)
        {
            // A new network namespace without a path: runc creates it and brings up its loopback interface.
            types.Add("network");
        }

        foreach (string type in types)
        {
            namespaces.Add(new JsonObject { ["type"] = type });
        }

        return new JsonObject
        {
            ["namespaces"] = namespaces,
            ["maskedPaths"] = new JsonArray([.. MaskedPaths.Select(path => JsonValue.Create(path))]),
            ["readonlyPaths"] = new JsonArray([.. ReadonlyPaths.Select(path => JsonValue.Create(path))]),
        };
    }

    /// <summary>Characters a hostname may contain. Linux's sethostname accepts at most 64 bytes.</summary>
    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex HostnamePattern();
}
