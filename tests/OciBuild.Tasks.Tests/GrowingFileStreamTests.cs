using OciBuild.Tasks.EarlyUpload;

namespace OciBuild.Tasks.Tests;

/// <summary>Reading a file while its writer appends to it, as an early layer upload does.</summary>
public sealed class GrowingFileStreamTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ocibuild-growing-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Finished_file_reads_whole()
    {
        byte[] content = Bytes(300_000, seed: 1);
        string path = Path.Combine(_directory, "blob");
        await File.WriteAllBytesAsync(path, content);

        await using var stream = new GrowingFileStream(path, Task.FromResult((long)content.Length));
        var read = new MemoryStream();
        await stream.CopyToAsync(read);

        Assert.Equal(content, read.ToArray());
        Assert.Equal(content.Length, stream.BytesRead);
    }

    [Fact]
    public async Task Read_waits_for_appended_bytes()
    {
        byte[] first = Bytes(70_000, seed: 2);
        byte[] second = Bytes(50_000, seed: 3);
        string path = Path.Combine(_directory, "blob");
        var finalLength = new TaskCompletionSource<long>();
        await using var writer = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        await writer.WriteAsync(first);
        await writer.FlushAsync();

        await using var stream = new GrowingFileStream(path, finalLength.Task);
        var read = new MemoryStream();
        var copy = stream.CopyToAsync(read);
        await WaitUntilAsync(() => stream.BytesRead == first.Length);
        Assert.False(copy.IsCompleted, "the copy ended before the writer reported the end");

        await writer.WriteAsync(second);
        await writer.FlushAsync();
        await WaitUntilAsync(() => stream.BytesRead == first.Length + second.Length);
        Assert.False(copy.IsCompleted, "the copy ended before the writer reported the end");

        finalLength.SetResult(first.Length + second.Length);
        await copy;
        Assert.Equal(first.Concat(second).ToArray(), read.ToArray());
    }

    [Fact]
    public async Task Reported_length_ends_stream()
    {
        byte[] content = Bytes(10_000, seed: 4);
        string path = Path.Combine(_directory, "blob");
        await File.WriteAllBytesAsync(path, content);

        // Bytes past the reported length, such as those of a writer that went on, are not read.
        await using var stream = new GrowingFileStream(path, Task.FromResult(6_000L));
        var read = new MemoryStream();
        await stream.CopyToAsync(read);

        Assert.Equal(content[..6_000], read.ToArray());
    }

    [Fact]
    public async Task Short_file_fails()
    {
        string path = Path.Combine(_directory, "blob");
        await File.WriteAllBytesAsync(path, Bytes(1_000, seed: 5));

        await using var stream = new GrowingFileStream(path, Task.FromResult(2_000L));
        var error = await Assert.ThrowsAsync<IOException>(() => stream.CopyToAsync(Stream.Null));

        Assert.Contains("ends after 1000 bytes", error.Message);
        Assert.Contains("reported 2000 bytes", error.Message);
    }

    [Fact]
    public async Task Writer_failure_surfaces()
    {
        string path = Path.Combine(_directory, "blob");
        var finalLength = new TaskCompletionSource<long>();
        await using var writer = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        await writer.WriteAsync(Bytes(4_096, seed: 6));
        await writer.FlushAsync();

        await using var stream = new GrowingFileStream(path, finalLength.Task);
        var copy = stream.CopyToAsync(Stream.Null);
        await WaitUntilAsync(() => stream.BytesRead == 4_096);
        var failure = new InvalidDataException("source file changed while it was read");
        finalLength.SetException(failure);
        var error = await Assert.ThrowsAsync<IOException>(() => copy);

        Assert.Same(failure, error.InnerException);
        Assert.Contains("source file changed while it was read", error.Message);
    }

    [Fact]
    public async Task Cancellation_stops_waiting()
    {
        string path = Path.Combine(_directory, "blob");
        await File.WriteAllBytesAsync(path, []);
        using var cancellation = new CancellationTokenSource();

        await using var stream = new GrowingFileStream(path, new TaskCompletionSource<long>().Task);
        var read = stream.ReadAsync(new byte[16], cancellation.Token).AsTask();
        await Task.Delay(50);
        Assert.False(read.IsCompleted, "the read returned before any byte was written");
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
    }

    private static byte[] Bytes(int count, int seed)
    {
        byte[] bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    // Polls, because the reader only waits and signals nothing; the test ends as soon as the condition holds.
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(5);
        }
    }
}
