using System.Globalization;
using OciBuild.Core;
using OciBuild.Transport;

namespace OciBuild.Cli;

/// <summary>
/// Shows blob transfers on standard error. On a terminal one line is rewritten in place at most every
/// 200 ms, and each finished blob keeps a line of its own. Elsewhere, as in a CI log, a blob of 1 MiB or
/// more gets a line at each tenth of its size and at least every 5 s, so that the log stays short but shows
/// a stalled transfer. Smaller blobs, such as configs, take too little time to need one.
/// </summary>
internal sealed class ConsoleProgress : IProgress<BlobProgress>
{
    private const int LogSteps = 10;
    private const long LogMinimumBytes = 1024 * 1024;
    private static readonly TimeSpan TerminalInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(5);

    // Returns the cursor to the start of the line and, after the text, clears what a longer line left there.
    private const string CarriageReturn = "\r";
    private const string ClearToEndOfLine = "\u001b[K";

    private readonly TextWriter _writer;
    private readonly bool _terminal;
    private readonly TimeProvider _clock;
    private readonly Dictionary<Digest, BlobState> _blobs = [];
    private readonly Lock _lock = new();
    private DateTimeOffset _lastTerminalWrite = DateTimeOffset.MinValue;

    public ConsoleProgress(TextWriter writer, bool terminal, TimeProvider? clock = null)
    {
        _writer = writer;
        _terminal = terminal;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>Progress on standard error, in the terminal form unless standard error is redirected.</summary>
    public static ConsoleProgress ForStandardError() => new(Console.Error, terminal: !Console.IsErrorRedirected);

    /// <summary>Writes a line when the display form calls for one. A report of zero bytes only marks the start of a transfer.</summary>
    public void Report(BlobProgress value)
    {
        lock (_lock)
        {
            var now = _clock.GetUtcNow();

            // A blob that starts again after a transient failure reports from zero again.
            if (!_blobs.TryGetValue(value.Digest, out var state) || value.Transferred < state.Transferred)
            {
                state = new BlobState(now);
                _blobs[value.Digest] = state;
            }

            state.Transferred = value.Transferred;
            if (value.Transferred == 0)
            {
                return;
            }

            if (_terminal)
            {
                WriteTerminal(value, state, now);
            }
            else
            {
                WriteLog(value, state, now);
            }
        }
    }

    // NOTE: the copier streams up to four blobs at once, and they take turns on the one rewritten line.
    private void WriteTerminal(BlobProgress value, BlobState state, DateTimeOffset now)
    {
        if (!value.IsComplete && now - _lastTerminalWrite < TerminalInterval)
        {
            return;
        }

        _lastTerminalWrite = now;
        _writer.Write(CarriageReturn + FormatLine(value, state, now) + ClearToEndOfLine + (value.IsComplete ? "\n" : ""));
        _writer.Flush();
    }

    private void WriteLog(BlobProgress value, BlobState state, DateTimeOffset now)
    {
        if (value.Total < LogMinimumBytes)
        {
            return;
        }

        int step = (int)(value.Transferred * LogSteps / Math.Max(value.Total, 1));
        if (step <= state.LastStep && now - state.LastWrite < LogInterval)
        {
            return;
        }

        state.LastStep = step;
        state.LastWrite = now;
        _writer.WriteLine(FormatLine(value, state, now));
    }

    /// <summary>Formats "sha256:0123456789ab: 3.0 MiB of 6.1 MiB (49%), 12.5 MiB/s".</summary>
    internal static string FormatLine(BlobProgress value, BlobState state, DateTimeOffset now)
    {
        double seconds = Math.Max((now - state.Started).TotalSeconds, 0.001);
        long percent = value.Transferred * 100 / Math.Max(value.Total, 1);
        string digest = $"{value.Digest.Algorithm}:{value.Digest.Encoded[..12]}";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{digest}: {FormatSize(value.Transferred)} of {FormatSize(value.Total)} ({percent}%), {FormatSize((long)(value.Transferred / seconds))}/s");
    }

    private static string FormatSize(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB"),
    };

    /// <summary>What the display remembers of one blob: when its transfer started and when it last got a line.</summary>
    internal sealed class BlobState
    {
        public BlobState(DateTimeOffset started)
        {
            Started = started;
            LastWrite = started;
        }

        public DateTimeOffset Started { get; }

        public long Transferred { get; set; }

        public int LastStep { get; set; } = -1;

        public DateTimeOffset LastWrite { get; set; }
    }
}
