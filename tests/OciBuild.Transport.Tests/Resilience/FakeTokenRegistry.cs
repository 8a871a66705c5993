using System.Collections.Concurrent;
using System.Net;
using System.Text;
using OciBuild.Tests.Shared;

namespace OciBuild.Transport.Tests.Resilience;

/// <summary>
/// A registry endpoint with a Bearer token service, on 127.0.0.1 over HTTP, for the token flow that
/// docker-registry only offers with a signing certificate set up. It serves one manifest and its blobs
/// under any repository, answers <c>/v2/</c> requests without a valid token with a Bearer challenge for the
/// repository's pull scope, and sends blob reads to a second listener (another port, so another origin)
/// with a 307 redirect, as registries do for cloud storage.
/// </summary>
internal sealed class FakeTokenRegistry : IDisposable
{
    public const string Service = "fake-registry";

    private readonly HttpListener _listener = new();
    private readonly HttpListener _storage = new();
    private readonly Dictionary<string, byte[]> _blobs;
    private readonly ConcurrentDictionary<string, string> _scopesByToken = new();
    private readonly Task _loop;
    private readonly Task _storageLoop;
    private int _tokens;

    public FakeTokenRegistry(byte[] manifest, string manifestMediaType, IReadOnlyDictionary<string, byte[]> blobs, (string User, string Password)? account = null)
    {
        Manifest = manifest;
        ManifestMediaType = manifestMediaType;
        _blobs = blobs.ToDictionary(pair => pair.Key, pair => pair.Value);
        Account = account;
        Address = LoopbackHttpServer.Start(_listener);
        StorageAddress = LoopbackHttpServer.Start(_storage);
        _loop = Task.Run(() => LoopbackHttpServer.ServeAsync(_listener, HandleRegistryAsync));
        _storageLoop = Task.Run(() => LoopbackHttpServer.ServeAsync(_storage, HandleStorageAsync));
    }

    public string Address { get; }

    public string StorageAddress { get; }

    public byte[] Manifest { get; }

    public string ManifestMediaType { get; }

    /// <summary>The only account the token service accepts; null makes it hand out anonymous tokens only.</summary>
    public (string User, string Password)? Account { get; }

    /// <summary>Seconds each token lives, as <c>expires_in</c> states it.</summary>
    public int TokenLifetimeSeconds { get; set; } = 300;

    /// <summary>Every token request: its scopes and its Authorization header (null when anonymous).</summary>
    public ConcurrentQueue<(string Scope, string? Authorization)> TokenRequests { get; } = new();

    /// <summary>The Authorization header of every request to the registry endpoints.</summary>
    public ConcurrentQueue<string?> RegistryAuthorizations { get; } = new();

    /// <summary>The Authorization header of every request that reached the storage listener.</summary>
    public ConcurrentQueue<string?> StorageAuthorizations { get; } = new();

    /// <summary>Every token handed out, to check that none reaches a log.</summary>
    public IEnumerable<string> IssuedTokens => _scopesByToken.Keys;

    public void Dispose()
    {
        _listener.Close();
        _storage.Close();
        try
        {
            Task.WaitAll([_loop, _storageLoop], TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task HandleRegistryAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        string path = request.Url!.AbsolutePath;
        if (path == "/token")
        {
            await IssueTokenAsync(request, response);
            return;
        }

        RegistryAuthorizations.Enqueue(request.Headers["Authorization"]);
        string[] parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string? repository = parts.Length >= 4 ? string.Join('/', parts[1..^2]) : null;
        string? requiredScope = repository is null ? null : $"repository:{repository}:pull";
        if (!IsAuthorized(request.Headers["Authorization"], requiredScope))
        {
            string scope = requiredScope is null ? "" : $",scope=\"{requiredScope}\"";
            response.StatusCode = 401;
            response.AddHeader("WWW-Authenticate", $"Bearer realm=\"http://{Address}/token\",service=\"{Service}\"{scope}");
            await WriteAsync(response, """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""", "application/json");
            return;
        }

        if (repository is null)
        {
            await WriteAsync(response, "{}", "application/json");
        }
        else if (parts[^2] == "manifests")
        {
            response.ContentType = ManifestMediaType;
            response.ContentLength64 = Manifest.Length;
            await response.OutputStream.WriteAsync(Manifest);
            response.Close();
        }
        else if (parts[^2] == "blobs" && _blobs.ContainsKey(parts[^1]))
        {
            response.StatusCode = 307;
            response.AddHeader("Location", $"http://{StorageAddress}/storage/{parts[^1]}?signature=opaque");
            response.Close();
        }
        else
        {
            response.StatusCode = 404;
            response.Close();
        }
    }

    private async Task IssueTokenAsync(HttpListenerRequest request, HttpListenerResponse response)
    {
        string? authorization = request.Headers["Authorization"];
        string scope = string.Join(" ", request.QueryString.GetValues("scope") ?? []);
        TokenRequests.Enqueue((scope, authorization));
        if (request.QueryString["service"] != Service || (authorization is not null && !IsAccount(authorization)))
        {
            response.StatusCode = 401;
            response.Close();
            return;
        }

        string token = $"token-{Interlocked.Increment(ref _tokens)}-{Guid.NewGuid():N}";
        _scopesByToken[token] = scope;
        await WriteAsync(response, $$"""{"token":"{{token}}","expires_in":{{TokenLifetimeSeconds}}}""", "application/json");
    }

    private bool IsAccount(string authorization)
    {
        if (Account is not { } account || !authorization.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return false;
        }

        string decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..]));
        return decoded == $"{account.User}:{account.Password}";
    }

    private bool IsAuthorized(string? authorization, string? requiredScope)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return false;
        }

        return _scopesByToken.TryGetValue(authorization["Bearer ".Length..], out string? granted)
               && (requiredScope is null || granted.Split(' ').Any(scope => scope.StartsWith(requiredScope, StringComparison.Ordinal)));
    }

    private async Task HandleStorageAsync(HttpListenerContext context)
    {
        StorageAuthorizations.Enqueue(context.Request.Headers["Authorization"]);
        string digest = context.Request.Url!.AbsolutePath["/storage/".Length..];
        var response = context.Response;
        byte[] content = _blobs[digest];
        response.ContentLength64 = content.Length;
        await response.OutputStream.WriteAsync(content);
        response.Close();
    }

    private static async Task WriteAsync(HttpListenerResponse response, string body, string contentType)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        response.ContentType = contentType;
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }
}
