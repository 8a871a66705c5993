using System.Net;
using System.Net.Sockets;

namespace OciBuild.Tests.Shared;

/// <summary>Starts the HttpListener-based test peers on a free 127.0.0.1 port and runs their request loops.</summary>
internal static class LoopbackHttpServer
{
    /// <summary>Starts <paramref name="listener"/> on a free loopback port and returns its <c>127.0.0.1:PORT</c>.</summary>
    public static string Start(HttpListener listener)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        string address = $"127.0.0.1:{port}";
        listener.Prefixes.Add($"http://{address}/");
        listener.Start();
        return address;
    }

    /// <summary>
    /// Hands each request to <paramref name="handle"/> on its own task until the listener closes. A client
    /// that goes away mid-request ends only that request.
    /// </summary>
    public static async Task ServeAsync(HttpListener listener, Func<HttpListenerContext, Task> handle)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await handle(context);
                }
                catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
                {
                }
            });
        }
    }
}
