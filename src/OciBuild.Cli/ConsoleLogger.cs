using Microsoft.Extensions.Logging;

namespace OciBuild.Cli;

/// <summary>
/// Writes library log events to standard error, keeping standard output for results (a container
/// name, JSON). Progress lines show by default, wire-level detail only with <c>--debug</c>.
/// </summary>
internal sealed class ConsoleLogger : ILogger
{
    private readonly LogLevel _minimum;

    public ConsoleLogger(bool debug)
    {
        _minimum = debug ? LogLevel.Debug : LogLevel.Information;
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= _minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        string prefix = logLevel switch
        {
            LogLevel.Debug or LogLevel.Trace => "debug: ",
            LogLevel.Warning => "warning: ",
            LogLevel.Error or LogLevel.Critical => "error: ",
            _ => "",
        };
        Console.Error.WriteLine(prefix + formatter(state, exception));
    }
}
