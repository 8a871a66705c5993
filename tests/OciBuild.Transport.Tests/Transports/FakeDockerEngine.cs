using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace OciBuild.Transport.Tests.Transports;

/// <summary>A request the fake engine received: method, path with query, Content-Type and body.</summary>
internal sealed record EngineRequest(string Method, string Target, string? ContentType, byte[] Body);

/// <summary>
/// A stand-in for the Docker engine on a unix socket in a test's temp folder, serving the two calls
/// docker-daemon: makes: <c>POST /images/load</c> stores the body, and <c>GET /images/NAME/get</c>
/// returns the archive registered for NAME (404 otherwise). It speaks just enough HTTP/1.1 for
/// HttpClient: one request per connection, then <c>Connection: close</c>.
/// </summary>
internal sealed class FakeDockerEngine : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    public FakeDockerEngine(string socketPath)
    {
        SocketPath = socketPath;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen();
        _acceptLoop = AcceptAsync();
    }

    public string SocketPath { get; }

    /// <summary>The engine's address in the form of <c>DOCKER_HOST</c>.</summary>
    public string Host => "unix://" + SocketPath;

    public ConcurrentQueue<EngineRequest> Requests { get; } = new();

    /// <summary>Archives that <c>GET /images/NAME/get</c> returns, by NAME as it appears in the path.</summary>
    public ConcurrentDictionary<string, byte[]> SavedImages { get; } = new();

    /// <summary>When set, <c>/images/load</c> returns status 200 with this error in its JSON message stream, as the engine does.</summary>
    public string? LoadError { get; set; }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        try
        {
            await _acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        File.Delete(SocketPath);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var connection = await _listener.AcceptAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(connection));
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        using (connection)
        await using (var stream = new NetworkStream(connection, ownsSocket: false))
        {
            var request = await ReadRequestAsync(stream);
            Requests.Enqueue(request);
            var (status, contentType, body) = Answer(request);
            string head = $"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(body);
        }
    }

    private (string Status, string ContentType, byte[] Body) Answer(EngineRequest request)
    {
        string path = request.Target.Split('?')[0];
        if (request.Method == "POST" && path == "/images/load")
        {
            string messages = LoadError is null
                ? "{\"stream\":\"Loaded image\\n\"}\n"
                : $"{{\"errorDetail\":{{\"message\":\"{LoadError}\"}},\"error\":\"{LoadError}\"}}\n";
            return ("200 OK", "application/json", Encoding.UTF8.GetBytes(messages));
        }

        if (request.Method == "GET" && path.StartsWith("/images/", StringComparison.Ordinal) && path.EndsWith("/get", StringComparison.Ordinal))
        {
            string name = Uri.UnescapeDataString(path["/images/".Length..^"/get".Length]);
            if (SavedImages.TryGetValue(name, out byte[]? archive))
            {
                return ("200 OK", "application/x-tar", archive);
            }

            return ("404 Not Found", "application/json", Encoding.UTF8.GetBytes($"{{\"message\":\"reference does not exist: {name}\"}}"));
        }

        return ("404 Not Found", "application/json", Encoding.UTF8.GetBytes("{\"message\":\"page not found\"}"));
    }

    private static async Task<EngineRequest> ReadRequestAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        byte[] singleByte = new byte[1];
        while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
        {
            if (await stream.ReadAsync(singleByte) == 0)
            {
                throw new EndOfStreamException("the client closed the connection inside the request head");
            }

            head.Add(singleByte[0]);
        }

        string[] lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        string[] requestLine = lines[0].Split(' ');
        var headers = lines.Skip(1)
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);

        byte[] body = [];
        if (headers.TryGetValue("Content-Length", out string? length))
        {
            body = new byte[long.Parse(length)];
            await stream.ReadExactlyAsync(body);
        }
        else if (headers.TryGetValue("Transfer-Encoding", out string? encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = await ReadChunkedAsync(stream);
        }

        headers.TryGetValue("Content-Type", out string? contentType);
        return new EngineRequest(requestLine[0], requestLine[1], contentType, body);
    }

    private static async Task<byte[]> ReadChunkedAsync(NetworkStream stream)
    {
        using var body = new MemoryStream();
        while (true)
        {
            int size = Convert.ToInt32((await ReadLineAsync(stream)).Split(';')[0], 16);
            if (size == 0)
            {
                await ReadLineAsync(stream);
                return body.ToArray();
            }

            byte[] chunk = new byte[size];
            await stream.ReadExactlyAsync(chunk);
            body.Write(chunk);
            await ReadLineAsync(stream);
        }
    }

    private static async Task<string> ReadLineAsync(NetworkStream stream)
    {
        var line = new StringBuilder();
        byte[] singleByte = new byte[1];
        while (await stream.ReadAsync(singleByte) > 0 && singleByte[0] != '\n')
        {
            if (singleByte[0] != '\r')
            {
                line.Append((char)singleByte[0]);
            }
        }

        return line.ToString();
    }
}
