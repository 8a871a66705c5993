using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace OciBuild.Transport.Registry;

/// <summary>
/// The retry pipeline for requests that are safe to repeat: up to <see cref="MaxAttempts"/> retries with
/// exponential backoff and jitter for connection failures and the statuses that mean "try again later".
/// TLS failures are not retried because a second handshake meets the same certificate.
/// </summary>
internal static class RetryPolicy
{
    public const int MaxAttempts = 4;

    /// <summary>The longest wait for one retry, also when a <c>Retry-After</c> header asks for more.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private static readonly HashSet<HttpStatusCode> RetriedStatuses =
    [
        HttpStatusCode.RequestTimeout,
        HttpStatusCode.TooManyRequests,
        HttpStatusCode.InternalServerError,
        HttpStatusCode.BadGateway,
        HttpStatusCode.ServiceUnavailable,
        HttpStatusCode.GatewayTimeout,
    ];

    public static bool IsRetried(HttpStatusCode status) => RetriedStatuses.Contains(status);

    public static ResiliencePipeline<HttpResponseMessage> Create(string registry, ILogger logger)
        => new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = MaxAttempts,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(500),
                MaxDelay = MaxDelay,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>(e => !RegistryClient.IsTlsFailure(e))
                    .HandleResult(response => RetriedStatuses.Contains(response.StatusCode)),
                DelayGenerator = arguments => new ValueTask<TimeSpan?>(RetryAfter(arguments.Outcome.Result)),
                OnRetry = arguments =>
                {
                    string cause = arguments.Outcome.Exception?.Message ?? $"status {(int)arguments.Outcome.Result!.StatusCode}";
                    logger.LogWarning(
                        "retrying a request to {Registry} in {Delay} ms after {Cause} (retry {Attempt} of {MaxAttempts})",
                        registry,
                        (int)arguments.RetryDelay.TotalMilliseconds,
                        cause,
                        arguments.AttemptNumber + 1,
                        MaxAttempts);
                    arguments.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    /// <summary>Returns the wait that a <c>Retry-After</c> header asks for, capped at <see cref="MaxDelay"/>, or null without one.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        var header = response?.Headers.RetryAfter;
        TimeSpan? delay = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        if (delay is null)
        {
            return null;
        }

        if (delay < TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        return delay > MaxDelay ? MaxDelay : delay;
    }
}
