using System.Net;
using System.Text.Json;
using OciBuild.Core.Errors;

namespace OciBuild.Transport.Registry;

/// <summary>A registry response with an error status; <see cref="ErrorCode"/> is the distribution API's code when it sent one.</summary>
public sealed class RegistryException : OciException
{
    public RegistryException(string code, string message, HttpStatusCode? status = null, string? errorCode = null, Exception? innerException = null)
        : base(code, message, innerException)
    {
        Status = status;
        ErrorCode = errorCode;
    }

    public HttpStatusCode? Status { get; }

    public string? ErrorCode { get; }

    /// <summary>Builds the exception for a failed response, reading the distribution API's error body when present.</summary>
    public static Task<RegistryException> FromResponseAsync(HttpResponseMessage response, string action, CancellationToken cancellationToken)
        => FromResponseAsync(response, action, "; check the credentials", cancellationToken);

    /// <summary>Builds the exception for a failed response; a 401 hint names the user and where the credentials came from.</summary>
    internal static Task<RegistryException> FromResponseAsync(HttpResponseMessage response, string action, RegistryCredentials? credentials, CancellationToken cancellationToken)
    {
        string unauthorizedHint = credentials is null
            ? NoCredentialsHint
            : $"; user \"{credentials.UserName}\"{RegistryAuthenticator.SourceSuffix(credentials)} was rejected: check the credentials";
        return FromResponseAsync(response, action, unauthorizedHint, cancellationToken);
    }

    private const string NoCredentialsHint =
        "; no credentials were given for this registry: pass them with --creds or OciCreds, set OCIBUILD_REGISTRY_USERNAME and OCIBUILD_REGISTRY_PASSWORD, or run ocibuild login";

    private static async Task<RegistryException> FromResponseAsync(HttpResponseMessage response, string action, string unauthorizedHint, CancellationToken cancellationToken)
    {
        string body = "";
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
        }

        (string? errorCode, string? errorMessage) = ParseErrors(body);
        string detail = errorCode is null ? "" : $" ({errorCode}: {errorMessage})";
        var status = response.StatusCode;
        string code = status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ErrorCodes.RegistryUnauthorized,
            HttpStatusCode.NotFound => ErrorCodes.ImageNotFound,
            _ => ErrorCodes.RegistryError,
        };
        string hint = status switch
        {
            HttpStatusCode.Unauthorized => unauthorizedHint,
            HttpStatusCode.Forbidden => "; the credentials are valid but lack permission for this repository",
            _ => "",
        };
        return new RegistryException(code, $"{action}: registry returned {(int)status} {response.ReasonPhrase}{detail}{hint}", status, errorCode);
    }

    /// <summary>
    /// Returns true for failures worth repeating: the registry was unreachable or returned 408, 429, 500,
    /// 502, 503 or 504. TLS failures and every other status are false, because a retry meets them again.
    /// </summary>
    public static bool IsTransient(OciException exception)
        => exception.Code == ErrorCodes.RegistryUnreachable
           || (exception is RegistryException { Status: { } status } && RetryPolicy.IsRetried(status));

    private static (string? Code, string? Message) ParseErrors(string body)
    {
        if (string.IsNullOrWhiteSpace(body) || body.Length > 64 * 1024)
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("errors", out var errors)
                && errors.ValueKind == JsonValueKind.Array
                && errors.GetArrayLength() > 0)
            {
                var first = errors[0];
                string? code = first.TryGetProperty("code", out var c) ? c.GetString() : null;
                string? message = first.TryGetProperty("message", out var m) ? m.GetString() : null;
                return (code, message);
            }
        }
        catch (JsonException)
        {
        }

        return (null, null);
    }
}
