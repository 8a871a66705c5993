using OciBuild.Core.Errors;

namespace OciBuild.Storage;

/// <summary>
/// An exclusive lock on a store, shared by every process that opens it. .NET takes an advisory
/// flock(2) for <see cref="FileShare.None"/> on Unix, so a second process waits here until the first
/// releases the lock, and the kernel drops it if the holder dies.
/// </summary>
public sealed class StoreLock : IDisposable
{
    private readonly FileStream _stream;

    private StoreLock(FileStream stream)
    {
        _stream = stream;
    }

    public static async Task<StoreLock> AcquireAsync(string lockFilePath, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            try
            {
                var stream = new FileStream(lockFilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new StoreLock(stream);
            }
            catch (IOException e) when (IsSharingViolation(e))
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
            }
            catch (UnauthorizedAccessException e)
            {
                throw new OciException(ErrorCodes.StoreError, $"cannot lock the store: {lockFilePath} is not writable; set OCIBUILD_STORAGE to a folder you can write", e);
            }
            catch (IOException e)
            {
                // A read-only file system, for example, fails here instead of looking like a lock that is never released.
                throw new OciException(ErrorCodes.StoreError, $"cannot lock the store: opening {lockFilePath} failed: {e.Message.TrimEnd('.')}; point --root, OCIBUILD_STORAGE or OciLocalStore at a writable folder", e);
            }
        }
    }

    public void Dispose() => _stream.Dispose();

    // When another process holds the lock, flock(2) fails with EWOULDBLOCK, and .NET raises a plain
    // IOException whose HResult is that errno (11 on Linux). Any other errno is a real failure.
    private const int LockTakenErrno = 11;

    private static bool IsSharingViolation(IOException e) => e.GetType() == typeof(IOException) && e.HResult == LockTakenErrno;
}
