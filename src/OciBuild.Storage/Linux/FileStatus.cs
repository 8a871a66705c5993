namespace OciBuild.Storage.Linux;

/// <summary>The type bits of a Linux <c>st_mode</c> (<c>S_IFMT</c>), from the kernel's <c>&lt;linux/stat.h&gt;</c>.</summary>
internal enum FileType
{
    Fifo = 0x1000,
    CharacterDevice = 0x2000,
    Directory = 0x4000,
    BlockDevice = 0x6000,
    RegularFile = 0x8000,
    Symlink = 0xA000,
    Socket = 0xC000,
}

/// <summary>What <c>statx(2)</c> reports about a path, without following a final symlink.</summary>
/// <param name="Permissions">The permission bits, including setuid, setgid and sticky (<c>07777</c>).</param>
internal sealed record FileStatus(
    FileType Type,
    UnixFileMode Permissions,
    int UserId,
    int GroupId,
    long Size,
    long ModifiedSeconds,
    int ModifiedNanoseconds,
    int DeviceMajor,
    int DeviceMinor)
{
    /// <summary>The inode number, which with <see cref="FileSystem"/> identifies the file behind every hard link to it.</summary>
    public ulong Inode { get; init; }

    /// <summary>The number of hard links to the file.</summary>
    public int LinkCount { get; init; }

    /// <summary>The device number of the file system that contains the file.</summary>
    public (int Major, int Minor) FileSystem { get; init; }

    /// <summary>Whether this is overlayfs's whiteout: a character device with device number 0/0.</summary>
    public bool IsOverlayWhiteout => Type == FileType.CharacterDevice && DeviceMajor == 0 && DeviceMinor == 0;

    public DateTimeOffset Modified => DateTimeOffset.FromUnixTimeSeconds(ModifiedSeconds).AddTicks(ModifiedNanoseconds / 100);
}
