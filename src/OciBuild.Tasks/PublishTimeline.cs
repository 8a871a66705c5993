using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace OciBuild.Tasks;

/// <summary>
/// Logs at debug level (MSBuild's low importance, shown with <c>-v:d</c>) when each phase of a publish
/// ends, in milliseconds since the publish started, so that users can see which phase is slow.
/// </summary>
internal sealed class PublishTimeline
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ILogger _logger;

    public PublishTimeline(ILogger logger)
    {
        _logger = logger;
    }

    public void Mark(string phase)
        => _logger.LogDebug("{Phase} {Milliseconds} ms after the publish started", phase, _clock.ElapsedMilliseconds);

    /// <summary>Returns <paramref name="task"/>'s result after marking <paramref name="phase"/> when it completes.</summary>
    public async Task<T> MarkWhenDone<T>(Task<T> task, string phase)
    {
        T result = await task.ConfigureAwait(false);
        Mark(phase);
        return result;
    }
}
