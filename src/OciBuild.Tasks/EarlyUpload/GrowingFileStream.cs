using Microsoft.Win32.SafeHandles;
using OciBuild.Core.IO;

namespace OciBuild.Tasks.EarlyUpload;

/// <summary>
/// Reads a file from its start while a writer still appends to it. A read at the current end waits for
/// more bytes until <c>finalLength</c> completes with the file's whole length; then the stream ends there.
/// When <c>finalLength</c> fails, the next read throws an <see cref="IOException"/> with that failure inside.
/// </summary>
internal sealed class GrowingFileStream : ReadOnlyStream
{
    // The file system gives no portable notice of appended bytes, so a read at the end polls. A layer
    // build writes its blob in 64 KiB buffered writes, so a short wait finds the next ones ready.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    private readonly string _path;
    private readonly SafeFileHandle _handle;
    private readonly Task<long> _finalLength;
    private long _position;

    /// <summary>Opens <paramref name="path"/>, which must exist, for reading while its writer keeps it open.</summary>
    public GrowingFileStream(string path, Task<long> finalLength)
    {
        _path = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        _finalLength = finalLength;
    }

    /// <summary>The number of bytes read so far.</summary>
    public long BytesRead => _position;

    public override int Read(Span<byte> buffer)
    {
        byte[] copy = new byte[buffer.Length];
        int read = ReadAsync(copy, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        copy.AsSpan(0, read).CopyTo(buffer);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            // The writer's state is taken before the file is read. When the writer had finished by then, a read
            // that returns nothing is the end of the file and not a pause of the writer.
            bool finished = _finalLength.IsCompleted;
            long? length = finished ? FinalLength() : null;
            var window = length is { } total ? buffer[..(int)Math.Min(buffer.Length, total - _position)] : buffer;
            if (window.Length == 0 && buffer.Length > 0)
            {
                return 0;
            }

            int read = await RandomAccess.ReadAsync(_handle, window, _position, cancellationToken).ConfigureAwait(false);
            if (read > 0 || buffer.Length == 0)
            {
                _position += read;
                return read;
            }

            if (length is not null)
            {
                throw new IOException($"{_path} ends after {_position} bytes, but its writer reported {length} bytes");
            }

            await Task.WhenAny(_finalLength, Task.Delay(PollInterval, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _handle.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Returns the completed final length, or throws what the writer failed with.</summary>
    private long FinalLength()
    {
        if (_finalLength.IsCanceled)
        {
            throw new OperationCanceledException($"the writer of {_path} was cancelled");
        }

        if (_finalLength.Exception is { } failure)
        {
            var cause = failure.InnerExceptions.Count == 1 ? failure.InnerException! : failure;
            throw new IOException($"the writer of {_path} failed: {cause.Message}", cause);
        }

        return _finalLength.Result;
    }
}
