using System.Text;

namespace OciBuild.Cli.Tests.Runtime;

/// <summary>
/// A write-only stream that keeps what a container writes and completes <see cref="MarkerSeen"/> once
/// the text contains a marker, so a test can act when the container is ready instead of after a delay.
/// </summary>
public sealed class CapturedOutput : Stream
{
    private readonly MemoryStream buffer = new();
    private readonly string? marker;
    private readonly TaskCompletionSource markerSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CapturedOutput(string? marker = null)
    {
        this.marker = marker;
    }

    public Task MarkerSeen => markerSeen.Task;

    public string Text
    {
        get
        {
            lock (buffer)
            {
                return Encoding.UTF8.GetString(buffer.ToArray());
            }
        }
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> data)
    {
        lock (buffer)
        {
            buffer.Write(data);
        }

        if (marker is not null && Text.Contains(marker, StringComparison.Ordinal))
        {
            markerSeen.TrySetResult();
        }
    }

    public override Task WriteAsync(byte[] data, int offset, int count, CancellationToken cancellationToken)
    {
        Write(data.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        Write(data.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
