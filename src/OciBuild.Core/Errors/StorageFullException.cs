namespace OciBuild.Core.Errors;

/// <summary>
/// A write that failed because its file system is full (ENOSPC) or the user's disk quota is used up
/// (EDQUOT). The message names what was written and where, and how to make room.
/// </summary>
public sealed class StorageFullException : OciException
{
    // On Linux, .NET puts the errno of a failed write into IOException.HResult. These are the Linux
    // numbers, which other systems do not share, so the check applies on Linux only.
    private const int NoSpaceErrno = 28;
    private const int QuotaExceededErrno = 122;

    /// <summary>The fix for a full local store, for the CLI and for MSBuild.</summary>
    public const string StoreFix = "free space there, or point the store at another file system with --root or OCIBUILD_STORAGE (ocibuild) or OciLocalStore (dotnet publish)";

    /// <param name="content">The content being written, such as "blob sha256:ab12…" or "the rootfs of container web".</param>
    /// <param name="location">The store or folder it went to.</param>
    /// <param name="fix">The advice for the user, by default <see cref="StoreFix"/>.</param>
    public StorageFullException(string content, string location, IOException innerException, string? fix = null)
        : base(ErrorCodes.StorageFull, $"{Reason(innerException)} while writing {content} to {location}; {fix ?? StoreFix}", innerException)
    {
    }

    /// <summary>
    /// Tells whether <paramref name="exception"/>, or an exception it wraps, reports a full file system
    /// or an exceeded disk quota.
    /// </summary>
    public static bool IsStorageFull(IOException exception) => FindErrno(exception) is not null;

    private static string Reason(IOException exception)
        => FindErrno(exception) == QuotaExceededErrno ? "Disk quota exceeded" : "No space left on device";

    // Layer extraction wraps the IOException of a failed write to add the layer's name, so the errno
    // may sit in an inner exception.
    private static int? FindErrno(Exception exception)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is IOException { HResult: NoSpaceErrno or QuotaExceededErrno } io)
            {
                return io.HResult;
            }
        }

        return null;
    }
}
