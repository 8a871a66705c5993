using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using OciBuild.Core.Errors;

namespace OciBuild.Transport.Daemon;

/// <summary>
/// The two Docker Engine API calls that <c>docker-daemon:</c> needs, sent over the engine's unix socket:
/// <c>POST /images/load</c> and <c>GET /images/NAME/get</c>, both with a <c>docker save</c> tar as the body.
/// </summary>
public sealed class DockerDaemonClient : IDisposable
{
    /// <summary>Where Docker's own client looks when <c>DOCKER_HOST</c> is not set.</summary>
    public const string DefaultHost = "unix:///var/run/docker.sock";

    private const string UnixScheme = "unix://";

    private readonly HttpClient _http;

    /// <param name="host">The engine's address as in <c>DOCKER_HOST</c>: <c>unix:///PATH</c>.</param>
    public DockerDaemonClient(string host)
    {
        if (!host.StartsWith(UnixScheme, StringComparison.Ordinal) || host.Length == UnixScheme.Length)
        {
            throw new OciException(ErrorCodes.UnsupportedOperation, $"the Docker host \"{host}\" is not supported: docker-daemon: talks to a unix socket only, written as unix:///PATH");
        }

        Host = host;
        SocketPath = host[UnixScheme.Length..];
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };

        // The host name is never resolved because the connect callback ignores it; the engine expects one in the request line.
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://docker/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public string Host { get; }

    public string SocketPath { get; }

    /// <summary>Returns <paramref name="configured"/>, else <c>DOCKER_HOST</c>, else <see cref="DefaultHost"/>.</summary>
    public static string ResolveHost(string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        string? environment = Environment.GetEnvironmentVariable("DOCKER_HOST");
        return string.IsNullOrEmpty(environment) ? DefaultHost : environment;
    }

    /// <summary>Sends the archive at <paramref name="archivePath"/> to <c>POST /images/load</c>.</summary>
    public async Task LoadAsync(string archivePath, CancellationToken cancellationToken)
    {
        await using var archive = File.OpenRead(archivePath);
        using var content = new StreamContent(archive);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var request = new HttpRequestMessage(HttpMethod.Post, "images/load?quiet=1") { Content = content };
        using var response = await SendAsync(request, "loading an image", cancellationToken).ConfigureAwait(false);

        // Once the engine has started its response, it reports a failed load as an error message in the JSON stream, under status 200.
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? error = FindStreamError(body);
        if (error is not null)
        {
            throw new OciException(ErrorCodes.DaemonError, $"the Docker engine at {Host} failed to load the image: {error}");
        }
    }

    /// <summary>Writes <c>GET /images/NAME/get</c> (a <c>docker save</c> archive of one image) to <paramref name="archivePath"/>.</summary>
    public async Task SaveAsync(string name, string archivePath, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"images/{name}/get");
        using var response = await SendAsync(request, $"reading image {name}", cancellationToken).ConfigureAwait(false);
        await using var output = new FileStream(archivePath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await response.Content.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string action, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new OciException(ErrorCodes.DaemonError, $"{action}: cannot connect to the Docker engine at {Host}: {e.Message}; check that it runs, or set DOCKER_HOST", e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        response.Dispose();
        string message = ReadMessage(body) ?? body.Trim();
        string code = status == 404 ? ErrorCodes.ImageNotFound : ErrorCodes.DaemonError;
        throw new OciException(code, $"{action}: the Docker engine at {Host} returned status {status}: {message}");
    }

    private static string? ReadMessage(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var message)
                ? message.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Returns the first <c>error</c> (or <c>errorDetail.message</c>) of the engine's JSON message stream, one message a line; null when none.</summary>
    private static string? FindStreamError(string body)
    {
        foreach (string line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
                {
                    return error.GetString();
                }

                if (root.TryGetProperty("errorDetail", out var detail) && detail.ValueKind == JsonValueKind.Object && detail.TryGetProperty("message", out var detailMessage))
                {
                    return detailMessage.GetString();
                }
            }
            catch (JsonException)
            {
                // A line that is not JSON is progress text, not an error report.
            }
        }

        return null;
    }
}
