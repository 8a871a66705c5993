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
        }
    }

    public void Dispose() => _stream.Dispose();

    // FileStream raises a plain IOException when another process holds the lock; only a missing
    // folder or a permission problem means something else.
    private static bool IsSharingViolation(IOException e)
        => e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException);
}
