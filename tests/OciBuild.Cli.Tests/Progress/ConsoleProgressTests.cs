using OciBuild.Core;
using OciBuild.Transport;

namespace OciBuild.Cli.Tests.Progress;

public sealed class ConsoleProgressTests
{
    private const long MiB = 1024 * 1024;

    private static readonly Digest Layer = Digest.Parse("sha256:" + new string('a', 64));
    private static readonly Digest Config = Digest.Parse("sha256:" + new string('b', 64));

    [Fact]
    public void Log_form_writes_each_tenth_once()
    {
        var clock = new ManualClock();
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, terminal: false, clock);
        progress.Report(new BlobProgress(Layer, 0, 10 * MiB));

        // 100 reads of 1% each, 10 ms apart: one line at the first read and one at each further tenth.
        for (int read = 1; read <= 100; read++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(10));
            progress.Report(new BlobProgress(Layer, read * MiB / 10, 10 * MiB));
        }

        string[] lines = Lines(output);
        Assert.Equal(11, lines.Length);
        Assert.Equal("sha256:aaaaaaaaaaaa: 102.4 KiB of 10.0 MiB (0%), 10.0 MiB/s", lines[0]);
        Assert.StartsWith("sha256:aaaaaaaaaaaa: 1.0 MiB of 10.0 MiB (10%)", lines[1]);
        Assert.Equal("sha256:aaaaaaaaaaaa: 10.0 MiB of 10.0 MiB (100%), 10.0 MiB/s", lines[^1]);
    }

    [Fact]
    public void Log_form_repeats_stalled_blob_every_5_s()
    {
        var clock = new ManualClock();
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, terminal: false, clock);
        progress.Report(new BlobProgress(Layer, MiB, 100 * MiB));

        // Twelve seconds of reads that stay within the first tenth: after the first line, lines at 5 s and 10 s only.
        for (int second = 1; second <= 12; second++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            progress.Report(new BlobProgress(Layer, MiB + second, 100 * MiB));
        }

        Assert.Equal(3, Lines(output).Length);
    }

    [Fact]
    public void Log_form_keeps_blobs_apart()
    {
        var clock = new ManualClock();
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, terminal: false, clock);

        progress.Report(new BlobProgress(Layer, 5 * MiB, 10 * MiB));
        progress.Report(new BlobProgress(Config, 2 * MiB, 2 * MiB));
        progress.Report(new BlobProgress(Layer, 10 * MiB, 10 * MiB));

        string[] lines = Lines(output);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("sha256:bbbbbbbbbbbb: 2.0 MiB of 2.0 MiB (100%)", lines[1]);
        Assert.StartsWith("sha256:aaaaaaaaaaaa: 10.0 MiB of 10.0 MiB (100%)", lines[2]);
    }

    [Fact]
    public void Log_form_skips_small_blobs()
    {
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, terminal: false, new ManualClock());

        progress.Report(new BlobProgress(Config, 1000, 1000));

        Assert.Empty(Lines(output));
    }

    [Fact]
    public void Restarted_blob_counts_from_zero()
    {
        var clock = new ManualClock();
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, terminal: false, clock);
        progress.Report(new BlobProgress(Layer, 9 * MiB, 10 * MiB));
        clock.Advance(TimeSpan.FromSeconds(1));

        progress.Report(new BlobProgress(Layer, MiB, 10 * MiB));

        string[] lines = Lines(output);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("sha256:aaaaaaaaaaaa: 1.0 MiB of 10.0 MiB (10%)", lines[1]);
    }

    [Fact]
    public void Terminal_form_rewrites_one_line()
    {
        var clock = new ManualClock();
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, terminal: true, clock);
        progress.Report(new BlobProgress(Layer, 0, 10 * MiB));

        // Reads every 50 ms for one second: rewrites at 50, 250, 450, 650 and 850 ms, and a final line of its own.
        for (int read = 1; read <= 20; read++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(50));
            progress.Report(new BlobProgress(Layer, read * MiB / 2, 10 * MiB));
        }

        string text = output.ToString();
        Assert.Equal(6, text.Count(c => c == '\r'));
        Assert.Equal(1, text.Count(c => c == '\n'));
        Assert.EndsWith("\rsha256:aaaaaaaaaaaa: 10.0 MiB of 10.0 MiB (100%), 10.0 MiB/s\u001b[K\n", text);
    }

    private static string[] Lines(StringWriter output) => output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan time) => _now += time;
    }
}
