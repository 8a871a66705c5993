using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace OciBuild.Layers;

/// <summary>
/// The few Linux system calls that .NET does not expose: lchown, link, mknod, utimensat and geteuid.
/// Each wrapper raises an <see cref="IOException"/> naming the call, the path and the errno text.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class LibC
{
    private const string Library = "libc";

    // Values from the Linux headers <fcntl.h> and <sys/stat.h>, which are the same on every Linux architecture.
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;

    public const uint FileTypeFifo = 0x1000;
    public const uint FileTypeCharacterDevice = 0x2000;
    public const uint FileTypeBlockDevice = 0x6000;

    public static bool IsRoot => geteuid() == 0;

    /// <summary>Changes the owner of <paramref name="path"/> itself, not of a symlink's target.</summary>
    public static void ChangeOwner(string path, int userId, int groupId)
    {
        if (lchown(path, (uint)userId, (uint)groupId) != 0)
        {
            ThrowLastError("lchown", path);
        }
    }

    public static void CreateHardLink(string existingPath, string newPath)
    {
        if (link(existingPath, newPath) != 0)
        {
            ThrowLastError("link", $"{newPath} -> {existingPath}");
        }
    }

    /// <summary>Creates a FIFO or device node. <paramref name="fileType"/> is one of the <c>FileType*</c> constants.</summary>
    public static void CreateNode(string path, uint fileType, UnixFileMode mode, int major, int minor)
    {
        ulong device = MakeDevice((uint)major, (uint)minor);
        if (mknod(path, fileType | ((uint)mode & 0xFFF), device) != 0)
        {
            ThrowLastError("mknod", path);
        }
    }

    /// <summary>Sets the access and modification time of <paramref name="path"/> without following a symlink.</summary>
    public static void SetTimes(string path, DateTimeOffset time)
    {
        // ToUnixTimeSeconds rounds down and UtcTicks counts from year 1, so the nanoseconds are never negative.
        long seconds = time.ToUnixTimeSeconds();
        long nanoseconds = (time.UtcTicks % TimeSpan.TicksPerSecond) * 100;

        var times = new TimeSpec[]
        {
            new() { Seconds = (nint)seconds, Nanoseconds = (nint)nanoseconds },
            new() { Seconds = (nint)seconds, Nanoseconds = (nint)nanoseconds },
        };
        if (utimensat(AtFdCwd, path, times, AtSymlinkNoFollow) != 0)
        {
            ThrowLastError("utimensat", path);
        }
    }

    // glibc's gnu_dev_makedev: the 64-bit dev_t splits major and minor into high and low parts.
    private static ulong MakeDevice(uint major, uint minor)
        => ((ulong)(major & 0xFFFFF000) << 32) | ((ulong)(major & 0x00000FFF) << 8)
           | ((ulong)(minor & 0xFFFFFF00) << 12) | (minor & 0x000000FF);

    private static void ThrowLastError(string call, string path)
    {
        int errno = Marshal.GetLastPInvokeError();
        throw new IOException($"{call} failed on {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    // struct timespec: time_t and long are both the size of a C long (nint) on Linux.
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }

    [DllImport(Library, SetLastError = true)]
    private static extern uint geteuid();

    [DllImport(Library, SetLastError = true)]
    private static extern int lchown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);

    [DllImport(Library, SetLastError = true)]
    private static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    [DllImport(Library, SetLastError = true)]
    private static extern int mknod([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode, ulong device);

    [DllImport(Library, SetLastError = true)]
    private static extern int utimensat(int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, TimeSpec[] times, int flags);
}
