using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Microsoft.Extensions.Logging;
using ILogger = Microsoft.Extensions.Logging.ILogger;

namespace OciBuild.Tasks;

/// <summary>
/// Forwards library log events to the MSBuild log: milestones at normal importance (shown with
/// <c>-v:n</c>), wire-level detail at low importance (<c>-v:d</c>), warnings as build warnings.
/// </summary>
internal sealed class MSBuildLogger : ILogger
{
    private readonly TaskLoggingHelper _log;

    public MSBuildLogger(TaskLoggingHelper log)
    {
        _log = log;
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string message = formatter(state, exception);
        switch (logLevel)
        {
            case LogLevel.Warning:
                _log.LogWarning(message);
                break;
            case LogLevel.Error or LogLevel.Critical:
                // Errors reach the user through the task's exception handling, with their code.
                _log.LogMessage(MessageImportance.High, message);
                break;
            case LogLevel.Information:
                _log.LogMessage(MessageImportance.Normal, message);
                break;
            default:
                _log.LogMessage(MessageImportance.Low, message);
                break;
        }
    }
}
