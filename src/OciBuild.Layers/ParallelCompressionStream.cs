using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Channels;

namespace OciBuild.Layers;

/// <summary>
/// A write-only stream that cuts its input into parts of a fixed uncompressed size, compresses each part
/// on its own on several workers, and writes the compressed parts to the output in input order.
/// </summary>
/// <remarks>
/// Both layer formats allow this. RFC 1952, section 2.2: a gzip file is a series of members, and a
/// reader decompresses them one after another as one stream, as GZipStream, Go's compress/gzip (used by
/// skopeo, umoci and containerd) and <c>gzip -d</c> do. RFC 8878, section 3.1: a zstd stream is a
/// series of frames, which ZstdSharp's DecompressionStream reads in order.
/// The parts start at fixed input offsets, and each is compressed by one call on a new compressing
/// stream, so the output is the same for every worker count and timing.
/// The caller hashes the input before this stream and the output after it: the producer, the workers
/// and the output writer then each run on their own thread. At most twice as many parts as workers
/// are in flight, so memory stays bounded whatever the input size.
/// </remarks>
internal sealed class ParallelCompressionStream : Stream
{
    private readonly Stream _output;
    private readonly int _partSize;
    private readonly Func<Stream, Stream> _openCompressor;
    private readonly BlockingCollection<Part> _toCompress = new(new ConcurrentQueue<Part>());
    private readonly Channel<Part> _toWrite;
    private readonly CancellationTokenSource _writerFailed = new();
    private readonly Task[] _workers;
    private readonly Task _writer;
    private byte[]? _current;
    private int _currentLength;
    private bool _completed;

    /// <param name="output">Receives the compressed parts in order and stays open.</param>
    /// <param name="partSize">Uncompressed bytes per part. Only the last part can be shorter.</param>
    /// <param name="workerCount">Number of parts compressed at the same time.</param>
    /// <param name="openCompressor">Returns a stream that compresses one part into the given stream and leaves it open.</param>
    public ParallelCompressionStream(Stream output, int partSize, int workerCount, Func<Stream, Stream> openCompressor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(workerCount, 1);
        _output = output;
        _partSize = partSize;
        _openCompressor = openCompressor;

        // The bound on parts waiting for the writer is what limits the parts in flight.
        _toWrite = Channel.CreateBounded<Part>(new BoundedChannelOptions(2 * workerCount) { SingleReader = true, SingleWriter = true });

        // Workers get their own threads: compression keeps a thread busy for milliseconds at a time,
        // and on the thread pool it would delay the producer's and the writer's continuations.
        _workers = new Task[workerCount];
        for (int i = 0; i < workerCount; i++)
        {
            _workers[i] = Task.Factory.StartNew(CompressParts, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        _writer = Task.Run(WritePartsAsync);
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_completed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int copied = CopyToCurrent(buffer);
            buffer = buffer[copied..];
            if (_currentLength == _partSize)
            {
                SubmitCurrentAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            int copied = CopyToCurrent(buffer.Span);
            buffer = buffer[copied..];
            if (_currentLength == _partSize)
            {
                await SubmitCurrentAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Does nothing: a part ends only at its fixed size or at the end of the input, so that flushing cannot change the output.</summary>
    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Compresses the last, shorter part and waits until every part is written to the output.</summary>
    public override async ValueTask DisposeAsync()
    {
        await CompleteAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CompleteAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    private int CopyToCurrent(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        _current ??= ArrayPool<byte>.Shared.Rent(_partSize);
        int count = Math.Min(buffer.Length, _partSize - _currentLength);
        buffer[..count].CopyTo(_current.AsSpan(_currentLength));
        _currentLength += count;
        return count;
    }

    private async ValueTask SubmitCurrentAsync(CancellationToken cancellationToken)
    {
        var part = new Part(_current!, _currentLength);
        _current = null;
        _currentLength = 0;

        // The part is queued for the writer first, so waiting for room there bounds the parts in flight.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _writerFailed.Token);
        try
        {
            await _toWrite.Writer.WriteAsync(part, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_writerFailed.IsCancellationRequested)
        {
            part.ReleaseInput();

            // The writer stopped on an error: that error, not the cancellation, is what the caller needs.
            await _writer.ConfigureAwait(false);
            throw;
        }
        catch
        {
            part.ReleaseInput();
            throw;
        }

        if (!TryAddToCompress(part))
        {
            part.ReleaseInput();
        }
    }

    private bool TryAddToCompress(Part part)
    {
        try
        {
            return _toCompress.TryAdd(part);
        }
        catch (InvalidOperationException)
        {
            // The writer failed and closed the queue, so the next write or the disposal raises its error.
            return false;
        }
    }

    private async ValueTask CompleteAsync()
    {
        if (_completed)
        {
            return;
        }

        try
        {
            if (_currentLength > 0 && !_writer.IsCompleted)
            {
                await SubmitCurrentAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _completed = true;
            if (_current is not null)
            {
                ArrayPool<byte>.Shared.Return(_current);
                _current = null;
            }

            _toWrite.Writer.TryComplete();
            _toCompress.CompleteAdding();
        }

        await Task.WhenAll(_workers).ConfigureAwait(false);
        try
        {
            await _writer.ConfigureAwait(false);
        }
        finally
        {
            _writerFailed.Dispose();
            _toCompress.Dispose();
        }
    }

    private void CompressParts()
    {
        foreach (var part in _toCompress.GetConsumingEnumerable())
        {
            part.Compress(_openCompressor);
        }
    }

    private async Task WritePartsAsync()
    {
        try
        {
            await foreach (var part in _toWrite.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    var compressed = await part.Compressed.ConfigureAwait(false);
                    await _output.WriteAsync(compressed.WrittenMemory).ConfigureAwait(false);
                }
                finally
                {
                    part.ReleaseOutput();
                }
            }
        }
        catch
        {
            _writerFailed.Cancel();

            // Later parts are never written: free them, and let workers that wait for them skip their work.
            _toCompress.CompleteAdding();
            while (_toWrite.Reader.TryRead(out var skipped))
            {
                skipped.Skip();
            }

            throw;
        }
    }

    /// <summary>One part of the input and, once a worker has compressed it, its compressed bytes.</summary>
    private sealed class Part
    {
        private readonly TaskCompletionSource<PooledBufferStream> _compressed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private byte[]? _input;
        private readonly int _length;
        private int _skipped;

        public Part(byte[] input, int length)
        {
            _input = input;
            _length = length;
        }

        public Task<PooledBufferStream> Compressed => _compressed.Task;

        public void Compress(Func<Stream, Stream> openCompressor)
        {
            if (Volatile.Read(ref _skipped) != 0)
            {
                ReleaseInput();
                return;
            }

            // Deflate and zstd add only a few bytes per block to incompressible data, so a compressed
            // part is rarely larger than its input. The buffer starts at the input size and grows when needed.
            var compressed = new PooledBufferStream(_length);
            try
            {
                using (var compressor = openCompressor(compressed))
                {
                    compressor.Write(_input!, 0, _length);
                }

                if (!_compressed.TrySetResult(compressed))
                {
                    compressed.Dispose();
                }
            }
            catch (Exception e)
            {
                compressed.Dispose();
                _compressed.TrySetException(e);
            }
            finally
            {
                ReleaseInput();
            }
        }

        /// <summary>Marks the part as never to be written, so that a worker frees it without compressing it.</summary>
        public void Skip()
        {
            Volatile.Write(ref _skipped, 1);
            _compressed.TrySetCanceled();
        }

        public void ReleaseInput()
        {
            var input = Interlocked.Exchange(ref _input, null);
            if (input is not null)
            {
                ArrayPool<byte>.Shared.Return(input);
            }
        }

        public void ReleaseOutput()
        {
            if (_compressed.Task.IsCompletedSuccessfully)
            {
                _compressed.Task.Result.Dispose();
            }
        }
    }
}
