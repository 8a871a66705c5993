using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Win32.SafeHandles;
using OciBuild.Core.Errors;

namespace OciBuild.Cli.Runtime;

/// <summary>
/// Checks, before runc starts, that the kernel can execute a container's command. runc 1.1 makes the
/// final execve after it has stopped listening for errors. A foreign-architecture binary, a missing
/// dynamic loader or a file that is no program then only shows up as a line on the container's stderr
/// and exit code 1, which looks like the program's own failure. This check turns those cases into an
/// <see cref="OciException"/>. A command that is not found is left to runc, which reports it itself.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class ExecutableCheck
{
    private const ushort ElfTypeExecutable = 2;
    private const ushort ElfTypeSharedObject = 3;
    private const uint ProgramHeaderInterpreter = 3;
    private const int Elf32HeaderSize = 52;

    /// <summary>ELF machine numbers and the OCI architecture names of the images built for them.</summary>
    private static readonly Dictionary<ushort, string> MachineNames = new()
    {
        [3] = "386", [8] = "mips", [20] = "ppc", [21] = "ppc64", [22] = "s390x", [40] = "arm",
        [62] = "amd64", [183] = "arm64", [243] = "riscv64", [258] = "loong64",
    };

    /// <summary>
    /// Raises <see cref="OciException"/> with <see cref="ErrorCodes.RuntimeFailed"/> when the command
    /// that <paramref name="args"/> names exists in the rootfs but cannot be executed there.
    /// </summary>
    public static void Verify(string rootfsPath, IReadOnlyList<string> args, IReadOnlyList<string> env, string cwd) =>
        Verify(rootfsPath, args, env, cwd, ForeignFormatsMayRun());

    /// <param name="foreignFormatsMayRun">
    /// Whether binfmt_misc handlers may make other architectures' binaries and other file formats run,
    /// which turns those checks off.
    /// </param>
    internal static void Verify(string rootfsPath, IReadOnlyList<string> args, IReadOnlyList<string> env, string cwd, bool foreignFormatsMayRun)
    {
        if (args.Count == 0)
        {
            return;
        }

        try
        {
            if (FindCommand(rootfsPath, args[0], env, cwd) is not { } command)
            {
                return;
            }

            // Linux 5.1 and later read the first 256 bytes (BINPRM_BUF_SIZE) to pick the format and the #! line.
            byte[] header = new byte[256];
            using var handle = File.OpenHandle(command.HostPath);
            int headerLength = RandomAccess.Read(handle, header, 0);
            if (header.AsSpan(0, headerLength).StartsWith("#!"u8))
            {
                VerifyScriptInterpreter(rootfsPath, command.ContainerPath, header.AsSpan(0, headerLength));
            }
            else if (header.AsSpan(0, headerLength).StartsWith("\u007fELF"u8) && headerLength >= Elf32HeaderSize)
            {
                VerifyElf(rootfsPath, command.ContainerPath, handle, header, foreignFormatsMayRun);
            }
            else if (!foreignFormatsMayRun)
            {
                throw Failed(command.ContainerPath,
                    "exec format error: the file is neither an ELF executable nor a script that starts with #!");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable file or a symbolic link loop is left for runc and the kernel to report.
        }
    }

    /// <summary>
    /// Runs <see cref="Verify"/> on the process and rootfs of the bundle's <c>config.json</c>. A bundle
    /// that cannot be read is left for runc to reject with its own message.
    /// </summary>
    public static void VerifyBundle(string bundleDirectory)
    {
        string rootfsPath;
        List<string> args;
        List<string> env;
        string cwd;
        try
        {
            JsonNode? spec = JsonNode.Parse(File.ReadAllText(Path.Join(bundleDirectory, RuntimeBundle.ConfigFileName)));
            if (spec?["root"]?["path"]?.GetValue<string>() is not { } root || spec["process"] is not JsonObject process)
            {
                return;
            }

            rootfsPath = Path.IsPathRooted(root) ? root : Path.Join(bundleDirectory, root);
            args = process["args"]?.AsArray().Select(arg => arg?.GetValue<string>() ?? "").ToList() ?? [];
            env = process["env"]?.AsArray().Select(entry => entry?.GetValue<string>() ?? "").ToList() ?? [];
            cwd = process["cwd"]?.GetValue<string>() ?? "/";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            return;
        }

        Verify(rootfsPath, args, env, cwd);
    }

    private static void VerifyScriptInterpreter(string rootfsPath, string containerPath, ReadOnlySpan<byte> header)
    {
        string line = Encoding.UTF8.GetString(header[2..]).Split('\n')[0].Trim();
        string interpreter = line.Split([' ', '\t'], 2)[0];
        if (interpreter.StartsWith('/') && !File.Exists(RootfsPath.Resolve(rootfsPath, interpreter)))
        {
            throw Failed(containerPath, $"its #! line names the interpreter {interpreter}, which the image does not contain");
        }
    }

    private static void VerifyElf(string rootfsPath, string containerPath, SafeFileHandle handle, byte[] header, bool foreignFormatsMayRun)
    {
        bool is64Bit = header[4] == 2;
        bool isBigEndian = header[5] == 2;
        ushort type = ReadUInt16(header, 16, isBigEndian);
        ushort machine = ReadUInt16(header, 18, isBigEndian);

        if (!HostMachines().Contains(machine) && !foreignFormatsMayRun)
        {
            string binaryArchitecture = MachineNames.GetValueOrDefault(machine, $"ELF machine {machine}");
            string hostArchitecture = RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
            throw Failed(containerPath,
                $"exec format error: it is a {binaryArchitecture} binary but this machine is {hostArchitecture}; use an image built for this machine's architecture");
        }

        if (type is not (ElfTypeExecutable or ElfTypeSharedObject))
        {
            throw Failed(containerPath, $"exec format error: it is an ELF file of type {type}, not an executable");
        }

        long tableOffset = is64Bit ? (long)ReadUInt64(header, 32, isBigEndian) : ReadUInt32(header, 28, isBigEndian);
        int entrySize = ReadUInt16(header, is64Bit ? 54 : 42, isBigEndian);
        int entryCount = ReadUInt16(header, is64Bit ? 56 : 44, isBigEndian);
        if (entrySize < (is64Bit ? 56 : 32))
        {
            return;
        }

        byte[] entry = new byte[entrySize];
        for (int i = 0; i < entryCount; i++)
        {
            if (RandomAccess.Read(handle, entry, tableOffset + (long)i * entrySize) < entrySize
                || ReadUInt32(entry, 0, isBigEndian) != ProgramHeaderInterpreter)
            {
                continue;
            }

            long offset = is64Bit ? (long)ReadUInt64(entry, 8, isBigEndian) : ReadUInt32(entry, 4, isBigEndian);
            long size = is64Bit ? (long)ReadUInt64(entry, 32, isBigEndian) : ReadUInt32(entry, 16, isBigEndian);
            byte[] path = new byte[Math.Clamp(size, 0, 4096)];
            int read = RandomAccess.Read(handle, path, offset);
            string interpreter = Encoding.UTF8.GetString(path, 0, read).TrimEnd('\0');
            if (interpreter.StartsWith('/') && !File.Exists(RootfsPath.Resolve(rootfsPath, interpreter)))
            {
                throw Failed(containerPath,
                    $"it needs the dynamic loader {interpreter}, which the image does not contain; the binary was probably built for another C library (glibc or musl) than the image has");
            }
        }
    }

    /// <summary>Finds the command the way runc does: a name without '/' is looked up in the process's PATH.</summary>
    private static (string ContainerPath, string HostPath)? FindCommand(string rootfsPath, string command, IReadOnlyList<string> env, string cwd)
    {
        IEnumerable<string> candidates;
        if (command.Contains('/'))
        {
            string absolute = command.StartsWith('/') ? command : $"{cwd}/{command}";
            candidates = ["/" + string.Join('/', absolute.Split('/').Where(part => part is not ("" or ".")))];
        }
        else
        {
            string path = env.LastOrDefault(entry => entry.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? "";
            candidates = path.Split(':').Where(dir => dir.StartsWith('/')).Select(dir => $"{dir.TrimEnd('/')}/{command}");
        }

        foreach (string candidate in candidates)
        {
            string hostPath = RootfsPath.Resolve(rootfsPath, candidate);
            if (File.Exists(hostPath) && (File.GetUnixFileMode(hostPath) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return (candidate, hostPath);
            }
        }

        return null;
    }

    /// <summary>
    /// ELF machines this kernel may run natively. The 32-bit variants of 64-bit machines count because
    /// most kernels run them, and a wrong guess only means the kernel reports the error instead.
    /// </summary>
    private static ushort[] HostMachines() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => [62, 3],
        Architecture.X86 => [3],
        Architecture.Arm64 => [183, 40],
        Architecture.Arm => [40],
        Architecture.S390x => [22],
        Architecture.Ppc64le => [21],
        Architecture.RiscV64 => [243],
        Architecture.LoongArch64 => [258],
        _ => [.. MachineNames.Keys],
    };

    /// <summary>
    /// Tells whether binfmt_misc has handlers registered (such as QEMU user emulation), in which case
    /// the kernel may run foreign binaries and files of other formats.
    /// </summary>
    private static bool ForeignFormatsMayRun()
    {
        const string directory = "/proc/sys/fs/binfmt_misc";
        return Directory.Exists(directory)
               && Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Any(name => name is not ("register" or "status"));
    }

    private static ushort ReadUInt16(byte[] buffer, int offset, bool isBigEndian) => isBigEndian
        ? BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(offset))
        : BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(offset));

    private static uint ReadUInt32(byte[] buffer, int offset, bool isBigEndian) => isBigEndian
        ? BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(offset))
        : BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset));

    private static ulong ReadUInt64(byte[] buffer, int offset, bool isBigEndian) => isBigEndian
        ? BinaryPrimitives.ReadUInt64BigEndian(buffer.AsSpan(offset))
        : BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(offset));

    private static OciException Failed(string containerPath, string reason) =>
        new(ErrorCodes.RuntimeFailed, $"cannot run {containerPath} in the container: {reason}");
}
