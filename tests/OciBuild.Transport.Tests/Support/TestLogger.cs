using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OciBuild.Transport.Tests.Support;

/// <summary>A logged message with its level; <see cref="Text"/> includes the exception, if any.</summary>
internal sealed record LogEntry(LogLevel Level, string Text);

/// <summary>An <see cref="ILogger"/> that keeps every message at every level, Debug included.</summary>
internal sealed class TestLogger : ILogger
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public IEnumerable<string> Messages(LogLevel level) => Entries.Where(e => e.Level == level).Select(e => e.Text);

    /// <summary>Every entry as one text, for searches and failure messages.</summary>
    public string AllText => string.Join(Environment.NewLine, Entries.Select(e => $"{e.Level}: {e.Text}"));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
        => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string text = formatter(state, exception);
        if (exception is not null)
        {
            text += Environment.NewLine + exception;
        }

        Entries.Enqueue(new LogEntry(logLevel, text));
    }
}
