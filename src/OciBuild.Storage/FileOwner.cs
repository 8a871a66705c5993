using System.Runtime.Versioning;
using OciBuild.Storage.Linux;

namespace OciBuild.Storage;

/// <summary>Sets file owners by number, which .NET offers no API for.</summary>
[SupportedOSPlatform("linux")]
public static class FileOwner
{
    /// <summary>Changes the owner of <paramref name="path"/> itself, not of a symlink's target. Needs root.</summary>
    public static void Set(string path, int userId, int groupId) => LinuxCalls.ChangeOwner(path, userId, groupId);
}
