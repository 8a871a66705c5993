using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace OciBuild.Tests.Shared;

/// <summary>What the proxy does with one request instead of forwarding it unchanged.</summary>
internal abstract record Fault
{
    /// <summary>Reads <paramref name="BodyBytes"/> of the request body, then closes the connection without an answer.</summary>
    public sealed record Drop(long BodyBytes) : Fault;

    /// <summary>Answers with <paramref name="Status"/> and, when set, a <c>Retry-After</c> of whole seconds.</summary>
    public sealed record Status(int Code, int? RetryAfterSeconds = null) : Fault;

    /// <summary>Waits before forwarding.</summary>
    public sealed record Delay(TimeSpan Wait) : Fault;

    /// <summary>Forwards, then replaces the reply's <paramref name="Name"/> header, when it has one, with <paramref name="Value"/>; an empty value removes the header.</summary>
    public sealed record RewriteHeader(string Name, string Value) : Fault;

    /// <summary>Answers with a redirect to <paramref name="Target"/> plus the request's path and query.</summary>
    public sealed record Redirect(string Target) : Fault;
}

/// <summary>
/// An HTTP proxy on 127.0.0.1 in front of a registry that injects faults: a rule sees each request (with
/// its number, from 1) and returns a <see cref="Fault"/> or null to forward it. The registry sees the proxy's
/// address as its host, so the upload locations it returns lead back through the proxy.
/// </summary>
/// <remarks>
/// HttpListener cannot drop a connection without answering (its Abort still sends a 200 status line), so
/// clients connect to a TCP relay in front of it, and a dropped request resets the client's connection there.
/// </remarks>
internal sealed class FaultProxy : IDisposable
{
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Proxy-Connection", "Upgrade",
    };

    private readonly HttpListener _listener = new();
    private readonly TcpListener _relay = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<int, TcpClient> _clientsByRelayPort = new();
    private readonly string _listenerAddress;
    private readonly Task _relayLoop;
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly string _upstreamAddress;
    private readonly Task _loop;
    private int _count;

    public FaultProxy(string upstreamAddress, Func<HttpListenerRequest, int, Fault?> rule)
    {
        _upstreamAddress = upstreamAddress;
        Rule = rule;
        _listenerAddress = $"127.0.0.1:{FreePort()}";
        _listener.Prefixes.Add($"http://{_listenerAddress}/");
        _listener.Start();
        _relay.Start();
        Address = $"127.0.0.1:{((IPEndPoint)_relay.LocalEndpoint).Port}";
        _loop = Task.Run(() => LoopbackHttpServer.ServeAsync(_listener, HandleAsync));
        _relayLoop = Task.Run(RelayLoopAsync);
    }

    /// <summary>The proxy as registries are named in references: <c>127.0.0.1:PORT</c>.</summary>
    public string Address { get; }

    public Func<HttpListenerRequest, int, Fault?> Rule { get; set; }

    /// <summary>Each request as "METHOD path -> what happened", in arrival order.</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    /// <summary>The <c>Authorization</c> header of each request, or null, in arrival order.</summary>
    public ConcurrentQueue<string?> AuthorizationHeaders { get; } = new();

    public void Dispose()
    {
        _relay.Stop();
        _listener.Close();
        foreach (var client in _clientsByRelayPort.Values)
        {
            client.Dispose();
        }

        try
        {
            Task.WaitAll([_loop, _relayLoop], TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _upstream.Dispose();
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task RelayLoopAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _relay.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => RelayAsync(client));
        }
    }

    /// <summary>Copies bytes both ways between a client and the HttpListener until either side closes.</summary>
    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var inner = new TcpClient())
        {
            string[] parts = _listenerAddress.Split(':');
            await inner.ConnectAsync(IPAddress.Loopback, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
            int port = ((IPEndPoint)inner.Client.LocalEndPoint!).Port;
            _clientsByRelayPort[port] = client;
            try
            {
                var up = client.GetStream().CopyToAsync(inner.GetStream());
                var down = inner.GetStream().CopyToAsync(client.GetStream());
                await Task.WhenAny(up, down);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
            {
            }
            finally
            {
                _clientsByRelayPort.TryRemove(port, out _);
            }
        }
    }

    /// <summary>Resets the client connection that carried <paramref name="request"/>, so the client sees the connection drop.</summary>
    private void ResetClient(HttpListenerRequest request)
    {
        if (_clientsByRelayPort.TryRemove(request.RemoteEndPoint.Port, out var client))
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Dispose();
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        int number = Interlocked.Increment(ref _count);
        string line = $"{request.HttpMethod} {request.Url!.PathAndQuery}";
        AuthorizationHeaders.Enqueue(request.Headers["Authorization"]);
        try
        {
            var fault = Rule(request, number);
            switch (fault)
            {
                case Fault.Drop drop:
                    await ReadAtMostAsync(request.InputStream, drop.BodyBytes);
                    Log.Enqueue($"{line} -> dropped");
                    ResetClient(request);
                    response.Abort();
                    return;
                case Fault.Status status:
                    Log.Enqueue($"{line} -> {status.Code}");
                    response.StatusCode = status.Code;
                    if (status.RetryAfterSeconds is { } seconds)
                    {
                        response.AddHeader("Retry-After", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }

                    await DrainAsync(request.InputStream);
                    response.Close();
                    return;
                case Fault.Redirect redirect:
                    Log.Enqueue($"{line} -> redirect");
                    response.StatusCode = 307;
                    response.AddHeader("Location", redirect.Target + request.Url.PathAndQuery);
                    response.Close();
                    return;
                case Fault.Delay delay:
                    await Task.Delay(delay.Wait);
                    break;
            }

            await ForwardAsync(request, response, line, fault as Fault.RewriteHeader);
        }
        catch (Exception e) when (e is HttpListenerException or IOException or HttpRequestException or ObjectDisposedException)
        {
            Log.Enqueue($"{line} -> proxy error {e.GetType().Name}");
            response.Abort();
        }
    }

    private async Task ForwardAsync(HttpListenerRequest request, HttpListenerResponse response, string line, Fault.RewriteHeader? rewrite)
    {
        using var forwarded = new HttpRequestMessage(new HttpMethod(request.HttpMethod), $"http://{_upstreamAddress}{request.Url!.PathAndQuery}");
        if (request.HasEntityBody)
        {
            var body = new MemoryStream();
            await request.InputStream.CopyToAsync(body);
            body.Position = 0;
            forwarded.Content = new StreamContent(body);
        }

        foreach (string name in request.Headers.AllKeys.OfType<string>())
        {
            if (HopHeaders.Contains(name))
            {
                continue;
            }

            string value = request.Headers[name]!;
            if (!forwarded.Headers.TryAddWithoutValidation(name, value))
            {
                forwarded.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        forwarded.Headers.Host = Address;
        using var answer = await _upstream.SendAsync(forwarded, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (!HopHeaders.Contains(name))
            {
                bool rewritten = rewrite is not null && name.Equals(rewrite.Name, StringComparison.OrdinalIgnoreCase);
                if (!rewritten || rewrite!.Value.Length > 0)
                {
                    response.AddHeader(name, rewritten ? rewrite!.Value : string.Join(", ", values));
                }
            }
        }

        Log.Enqueue($"{line} -> {(int)answer.StatusCode}");
        byte[] content = await answer.Content.ReadAsByteArrayAsync();
        if (request.HttpMethod != "HEAD" && content.Length > 0)
        {
            response.ContentLength64 = content.Length;
            await response.OutputStream.WriteAsync(content);
        }

        response.Close();
    }

    private static async Task ReadAtMostAsync(Stream stream, long count)
    {
        byte[] buffer = new byte[8192];
        long read = 0;
        while (read < count)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count - read)));
            if (n == 0)
            {
                return;
            }

            read += n;
        }
    }

    private static Task DrainAsync(Stream stream) => stream.CopyToAsync(Stream.Null);
}
