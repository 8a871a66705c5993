using OciBuild.Core.Errors;

namespace OciBuild.Core.Tests;

public sealed class StorageFullExceptionTests
{
    // The Linux errno values that .NET stores in IOException.HResult.
    private const int NoSpace = 28;
    private const int QuotaExceeded = 122;

    [Theory]
    [InlineData(NoSpace, "No space left on device")]
    [InlineData(QuotaExceeded, "Disk quota exceeded")]
    public void Full_disk_errno_gets_code(int errno, string reason)
    {
        var cause = new IOException("write failed", errno);

        var error = new StorageFullException("blob sha256:ab12", "the local store /srv/store", cause);

        Assert.True(StorageFullException.IsStorageFull(cause));
        Assert.Equal(ErrorCodes.StorageFull, error.Code);
        Assert.Equal("OCIB5010", error.Code);
        Assert.StartsWith($"{reason} while writing blob sha256:ab12 to the local store /srv/store; ", error.Message, StringComparison.Ordinal);
        Assert.Contains("--root", error.Message, StringComparison.Ordinal);
        Assert.Contains("OciLocalStore", error.Message, StringComparison.Ordinal);
        Assert.Same(cause, error.InnerException);
    }

    [Fact]
    public void Wrapped_errno_is_found()
    {
        var cause = new IOException("extracting layer 1 failed", new IOException("write failed", QuotaExceeded));

        var error = new StorageFullException("unpacked layer 1", "the layer cache /srv/store/layers", cause, "free space there");

        Assert.True(StorageFullException.IsStorageFull(cause));
        Assert.Equal("Disk quota exceeded while writing unpacked layer 1 to the layer cache /srv/store/layers; free space there", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)] // EIO
    [InlineData(13)] // EACCES
    [InlineData(unchecked((int)0x80131620))] // COR_E_IO, the HResult of an IOException without an errno
    public void Other_errors_are_not_full(int hresult)
    {
        Assert.False(StorageFullException.IsStorageFull(new IOException("failed", hresult)));
    }
}
