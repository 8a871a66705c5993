using System.Net;
using System.Net.Http.Headers;
using OciBuild.Transport.Registry;

namespace OciBuild.Transport.Tests.Registry;

public sealed class RetryPolicyTests
{
    private static HttpResponseMessage WithRetryAfter(RetryConditionHeaderValue? value)
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = value;
        return response;
    }

    [Fact]
    public void RetryAfter_reads_seconds()
    {
        using var response = WithRetryAfter(new RetryConditionHeaderValue(TimeSpan.FromSeconds(3)));

        Assert.Equal(TimeSpan.FromSeconds(3), RetryPolicy.RetryAfter(response));
    }

    [Fact]
    public void RetryAfter_caps_long_waits()
    {
        using var response = WithRetryAfter(new RetryConditionHeaderValue(TimeSpan.FromHours(1)));

        Assert.Equal(RetryPolicy.MaxDelay, RetryPolicy.RetryAfter(response));
    }

    [Fact]
    public void RetryAfter_past_date_means_now()
    {
        using var response = WithRetryAfter(new RetryConditionHeaderValue(DateTimeOffset.UtcNow.AddMinutes(-5)));

        Assert.Equal(TimeSpan.Zero, RetryPolicy.RetryAfter(response));
    }

    [Fact]
    public void RetryAfter_absent_uses_backoff()
    {
        using var response = WithRetryAfter(null);

        Assert.Null(RetryPolicy.RetryAfter(response));
    }
}
