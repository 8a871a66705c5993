using OciBuild.Core.Errors;
using OciBuild.Storage;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Storage;

public sealed class StoreLockTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Acquire_waits_for_holder()
    {
        string lockPath = Path.Combine(_temp.Path, "storage.lock");
        var holder = await StoreLock.AcquireAsync(lockPath, CancellationToken.None);

        var waiting = StoreLock.AcquireAsync(lockPath, CancellationToken.None);
        bool completedWhileHeld = waiting.IsCompleted;
        holder.Dispose();
        using var second = await waiting;

        Assert.False(completedWhileHeld, "the second lock was granted while the first was held");
    }

    // A lock file that cannot be opened is an error at once, not a lock that some other process holds.
    [Fact]
    public async Task Acquire_on_read_only_mount_fails()
    {
        Assert.True(Environment.IsPrivilegedProcess, "bind mounts need root, which the storage tests run as");
        string source = Directory.CreateDirectory(Path.Combine(_temp.Path, "source")).FullName;
        string mountPoint = Directory.CreateDirectory(Path.Combine(_temp.Path, "read-only")).FullName;
        await RunAsync("mount", "--bind", source, mountPoint);
        try
        {
            await RunAsync("mount", "-o", "remount,bind,ro", mountPoint);

            var error = await Assert.ThrowsAsync<OciException>(() => StoreLock.AcquireAsync(Path.Combine(mountPoint, "storage.lock"), CancellationToken.None));

            Assert.Equal(ErrorCodes.StoreError, error.Code);
            Assert.Contains("Read-only file system", error.Message, StringComparison.Ordinal);
            Assert.Contains("OCIBUILD_STORAGE", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await RunAsync("umount", mountPoint);
        }
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(program, arguments);
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}");
    }
}
