namespace OciBuild.Storage;

/// <summary>Lists the files that running processes have open, from the symlinks in <c>/proc/PID/fd</c>.</summary>
internal static class OpenFileFinder
{
    /// <summary>
    /// Returns the full paths of open files under <paramref name="directory"/>. Without root, other
    /// users' processes cannot be inspected, so their files are missing from the set. Returns an
    /// empty set where there is no <c>/proc</c>, as on systems other than Linux.
    /// </summary>
    public static HashSet<string> FindUnder(string directory)
    {
        var open = new HashSet<string>(StringComparer.Ordinal);
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc"))
        {
            return open;
        }

        string prefix = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)) + "/";
        foreach (string process in Directory.EnumerateDirectories("/proc"))
        {
            if (!Path.GetFileName(process).All(char.IsAsciiDigit))
            {
                continue;
            }

            try
            {
                foreach (string descriptor in Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd")))
                {
                    string? target = new FileInfo(descriptor).LinkTarget;
                    if (target is not null && target.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        open.Add(target);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while it was read, or belongs to another user.
            }
        }

        return open;
    }
}
