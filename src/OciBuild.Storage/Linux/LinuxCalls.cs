using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;

namespace OciBuild.Storage.Linux;

/// <summary>
/// The Linux system calls the store needs and .NET does not expose: statx, extended attributes, mknod,
/// lchown, utimensat, mount and umount2. Each wrapper raises an <see cref="IOException"/> that names
/// the call, the path and the errno text.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class LinuxCalls
{
    private const string Library = "libc";

    // Values from the kernel's <fcntl.h>, <linux/stat.h>, <errno.h> and <sys/mount.h>; they are the same on every Linux architecture.
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7FF;
    private const int StatxBufferSize = 256;
    private const int NoData = 61;
    private const int MountDetach = 2;

    private const int ErrorNotFound = 2;
    private const int ErrorNotDirectory = 20;

    public static bool IsRoot => geteuid() == 0;

    /// <summary>Returns the status of <paramref name="path"/> itself, or null when it does not exist.</summary>
    public static FileStatus? TryGetStatus(string path)
    {
        // struct statx has the same layout on every architecture, unlike struct stat.
        byte[] buffer = new byte[StatxBufferSize];
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ErrorNotFound or ErrorNotDirectory)
            {
                return null;
            }

            throw Error("statx", path, errno);
        }

        ReadOnlySpan<byte> b = buffer;
        int mode = BinaryPrimitives.ReadUInt16LittleEndian(b[28..]);
        return new FileStatus(
            (FileType)(mode & 0xF000),
            (UnixFileMode)(mode & 0xFFF),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(b[20..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(b[24..]),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(b[40..]),
            BinaryPrimitives.ReadInt64LittleEndian(b[112..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(b[120..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(b[128..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(b[132..]))
        {
            Inode = BinaryPrimitives.ReadUInt64LittleEndian(b[32..]),
            LinkCount = (int)BinaryPrimitives.ReadUInt32LittleEndian(b[16..]),
            FileSystem = ((int)BinaryPrimitives.ReadUInt32LittleEndian(b[136..]), (int)BinaryPrimitives.ReadUInt32LittleEndian(b[140..])),
        };
    }

    public static FileStatus GetStatus(string path)
        => TryGetStatus(path) ?? throw new FileNotFoundException($"statx failed on {path}: no such file or directory", path);

    /// <summary>Returns the value of an extended attribute of <paramref name="path"/> itself, or null when it has none.</summary>
    public static string? GetAttribute(string path, string name)
    {
        byte[] buffer = new byte[256];
        long length = lgetxattr(path, name, buffer, (nuint)buffer.Length);
        if (length < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == NoData ? null : throw Error("lgetxattr", $"{path} ({name})", errno);
        }

        return Encoding.UTF8.GetString(buffer, 0, (int)length);
    }

    public static void SetAttribute(string path, string name, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        if (lsetxattr(path, name, bytes, (nuint)bytes.Length, 0) != 0)
        {
            throw Error("lsetxattr", $"{path} ({name})", Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Creates a character or block device or a FIFO; needs root for devices.</summary>
    public static void CreateNode(string path, FileType type, UnixFileMode permissions, int major, int minor)
    {
        // glibc's gnu_dev_makedev: the 64-bit dev_t splits major and minor into high and low parts.
        ulong device = ((ulong)((uint)major & 0xFFFFF000) << 32) | ((ulong)((uint)major & 0xFFF) << 8)
                       | ((ulong)((uint)minor & 0xFFFFFF00) << 12) | ((uint)minor & 0xFF);
        if (mknod(path, (uint)type | ((uint)permissions & 0xFFF), device) != 0)
        {
            throw Error("mknod", path, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Changes the owner of <paramref name="path"/> itself, not of a symlink's target.</summary>
    public static void ChangeOwner(string path, int userId, int groupId)
    {
        if (lchown(path, (uint)userId, (uint)groupId) != 0)
        {
            throw Error("lchown", path, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Sets the access and modification times of <paramref name="path"/> itself.</summary>
    public static void SetTimes(string path, long seconds, int nanoseconds)
    {
        nint[] times = [(nint)seconds, nanoseconds, (nint)seconds, nanoseconds];
        if (utimensat(AtFdCwd, path, times, AtSymlinkNoFollow) != 0)
        {
            throw Error("utimensat", path, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Mounts an overlay file system; returns the errno on failure so callers can fall back.</summary>
    public static int TryMountOverlay(string target, string options)
        => mount("overlay", target, "overlay", 0, options) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Detaches the mount at <paramref name="target"/>; processes that still use it keep it until they finish.</summary>
    public static void Unmount(string target)
    {
        if (umount2(target, MountDetach) != 0)
        {
            throw Error("umount2", target, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Tells whether <paramref name="path"/> is a mount point in this process's mount namespace.</summary>
    public static bool IsMountPoint(string path)
    {
        string full = Path.GetFullPath(path).TrimEnd('/');

        // Field 5 of /proc/self/mountinfo is the mount point, with spaces and other specials escaped as \NNN octal.
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] fields = line.Split(' ');
            if (fields.Length > 4 && Unescape(fields[4]) == full)
            {
                return true;
            }
        }

        return false;
    }

    private static string Unescape(string field)
    {
        if (!field.Contains('\\'))
        {
            return field;
        }

        var text = new StringBuilder();
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length)
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }

    private static IOException Error(string call, string path, int errno)
        => new($"{call} failed on {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");

    [DllImport(Library, SetLastError = true)]
    private static extern uint geteuid();

    [DllImport(Library, SetLastError = true)]
    private static extern int statx(int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

    [DllImport(Library, SetLastError = true)]
    private static extern long lgetxattr([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, byte[] value, nuint size);

    [DllImport(Library, SetLastError = true)]
    private static extern int lsetxattr([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, byte[] value, nuint size, int flags);

    [DllImport(Library, SetLastError = true)]
    private static extern int mknod([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode, ulong device);

    [DllImport(Library, SetLastError = true)]
    private static extern int lchown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);

    [DllImport(Library, SetLastError = true)]
    private static extern int utimensat(int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, nint[] times, int flags);

    [DllImport(Library, SetLastError = true)]
    private static extern int mount([MarshalAs(UnmanagedType.LPUTF8Str)] string source, [MarshalAs(UnmanagedType.LPUTF8Str)] string target, [MarshalAs(UnmanagedType.LPUTF8Str)] string fileSystemType, ulong flags, [MarshalAs(UnmanagedType.LPUTF8Str)] string data);

    [DllImport(Library, SetLastError = true)]
    private static extern int umount2([MarshalAs(UnmanagedType.LPUTF8Str)] string target, int flags);
}
