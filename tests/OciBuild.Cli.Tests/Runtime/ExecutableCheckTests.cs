using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using OciBuild.Cli.Runtime;
using OciBuild.Core.Errors;

namespace OciBuild.Cli.Tests.Runtime;

[SupportedOSPlatform("linux")]
public sealed class ExecutableCheckTests : IDisposable
{
    private const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private static readonly string[] Env = ["PATH=/usr/bin:/bin"];

    private readonly TemporaryRootfs rootfs = new();

    public void Dispose() => rootfs.Dispose();

    [Fact]
    public void Foreign_architecture_binary_is_rejected()
    {
        ushort foreign = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? (ushort)62 : (ushort)183;
        string foreignName = foreign == 62 ? "amd64" : "arm64";
        rootfs.WriteFile("/app/server", Elf(foreign, interpreter: null), Executable);

        var error = Assert.Throws<OciException>(() => Verify(["/app/server"]));

        Assert.Equal(ErrorCodes.RuntimeFailed, error.Code);
        Assert.Contains("cannot run /app/server in the container: exec format error", error.Message);
        Assert.Contains($"it is a {foreignName} binary", error.Message);
    }

    [Fact]
    public void Foreign_binary_passes_when_binfmt_handlers_exist()
    {
        ushort foreign = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? (ushort)62 : (ushort)183;
        rootfs.WriteFile("/app/server", Elf(foreign, interpreter: null), Executable);

        ExecutableCheck.Verify(rootfs.Path, ["/app/server"], Env, "/", foreignFormatsMayRun: true);
    }

    [Fact]
    public void Missing_dynamic_loader_is_reported()
    {
        rootfs.WriteFile("/app/server", Elf(HostMachine(), interpreter: "/lib/ld-musl-x86_64.so.1"), Executable);

        var error = Assert.Throws<OciException>(() => Verify(["/app/server"]));

        Assert.Contains("needs the dynamic loader /lib/ld-musl-x86_64.so.1, which the image does not contain", error.Message);
    }

    [Fact]
    public void Present_dynamic_loader_passes()
    {
        rootfs.WriteFile("/app/server", Elf(HostMachine(), interpreter: "/lib/ld.so"), Executable);
        rootfs.WriteFile("/lib/ld.so", Elf(HostMachine(), interpreter: null), Executable);

        Verify(["/app/server"]);
    }

    [Fact]
    public void Loader_behind_symlink_is_found_in_the_rootfs()
    {
        rootfs.WriteFile("/app/server", Elf(HostMachine(), interpreter: "/lib64/ld.so"), Executable);
        rootfs.WriteFile("/usr/lib/ld.so", Elf(HostMachine(), interpreter: null), Executable);
        File.CreateSymbolicLink(rootfs.HostPath("/lib64"), "usr/lib");

        Verify(["/app/server"]);
    }

    [Fact]
    public void Text_file_without_shebang_is_rejected()
    {
        rootfs.WriteFile("/bin/start", "echo hello\n", Executable);

        var error = Assert.Throws<OciException>(() => Verify(["start"]));

        Assert.Equal(
            "cannot run /bin/start in the container: exec format error: the file is neither an ELF executable nor a script that starts with #!",
            error.Message);
    }

    [Fact]
    public void Script_with_missing_interpreter_is_rejected()
    {
        rootfs.WriteFile("/app/run.sh", "#!/usr/bin/env bash\necho hi\n", Executable);

        var error = Assert.Throws<OciException>(() => Verify(["./run.sh"], cwd: "/app"));

        Assert.Equal("cannot run /app/run.sh in the container: its #! line names the interpreter /usr/bin/env, which the image does not contain", error.Message);
    }

    [Fact]
    public void Script_with_present_interpreter_passes()
    {
        rootfs.WriteFile("/app/run.sh", "#!/bin/sh -e\necho hi\n", Executable);
        rootfs.WriteFile("/bin/sh", Elf(HostMachine(), interpreter: null), Executable);

        Verify(["/app/run.sh"]);
    }

    [Fact]
    public void Command_not_found_is_left_to_runc()
    {
        Verify(["missing-command"]);
        Verify(["/missing/command"]);
    }

    [Fact]
    public void Relocatable_object_is_rejected()
    {
        byte[] elf = Elf(HostMachine(), interpreter: null);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(16), 1);
        rootfs.WriteFile("/app/lib.o", elf, Executable);

        var error = Assert.Throws<OciException>(() => Verify(["/app/lib.o"]));

        Assert.Contains("it is an ELF file of type 1, not an executable", error.Message);
    }

    [Fact]
    public void Static_busybox_passes()
    {
        Assert.True(File.Exists("/bin/busybox"), "this test needs /bin/busybox; install it with `apt-get install busybox-static`");
        Directory.CreateDirectory(rootfs.HostPath("/bin"));
        File.Copy("/bin/busybox", rootfs.HostPath("/bin/busybox"));

        Verify(["busybox"]);
    }

    private void Verify(string[] args, string cwd = "/") =>
        ExecutableCheck.Verify(rootfs.Path, args, Env, cwd, foreignFormatsMayRun: false);

    private static ushort HostMachine() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => 62,
        Architecture.Arm64 => 183,
        var other => throw new PlatformNotSupportedException($"these tests know the ELF machine of amd64 and arm64 only, not {other}"),
    };

    /// <summary>Returns a little-endian 64-bit ELF executable header with an optional PT_INTERP entry.</summary>
    private static byte[] Elf(ushort machine, string? interpreter)
    {
        const int headerSize = 64;
        const int entrySize = 56;
        byte[] path = interpreter is null ? [] : [.. Encoding.UTF8.GetBytes(interpreter), 0];
        byte[] file = new byte[headerSize + entrySize + path.Length];

        "\u007fELF"u8.CopyTo(file);
        file[4] = 2; // 64-bit
        file[5] = 1; // little-endian
        file[6] = 1; // ELF version
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(16), 2); // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(18), machine);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(32), headerSize); // e_phoff
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(54), entrySize); // e_phentsize
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(56), (ushort)(interpreter is null ? 0 : 1)); // e_phnum

        if (interpreter is not null)
        {
            Span<byte> entry = file.AsSpan(headerSize, entrySize);
            BinaryPrimitives.WriteUInt32LittleEndian(entry, 3); // PT_INTERP
            BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], headerSize + entrySize); // p_offset
            BinaryPrimitives.WriteUInt64LittleEndian(entry[32..], (ulong)path.Length); // p_filesz
            path.CopyTo(file.AsSpan(headerSize + entrySize));
        }

        return file;
    }
}
