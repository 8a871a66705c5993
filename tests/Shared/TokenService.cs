using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace OciBuild.Tests.Shared;

/// <summary>
/// A token service on 127.0.0.1 over HTTP for docker-registry's token authentication, which
/// <c>eng/registry.sh start DIR --token-realm URL --token-certs FILE</c> turns on. It signs ES256 JSON
/// web tokens with a throwaway key whose self-signed certificate it writes to <see cref="CertificateBundlePath"/>,
/// and names the key in the <c>kid</c> header by its libtrust key ID, which is how distribution 2.8 finds a
/// trusted key when a token carries no certificate chain.
/// </summary>
/// <remarks>
/// <c>GET /token</c> handles the Bearer challenges of the registry: with the Basic credentials of
/// <see cref="Account"/> it grants every requested action, without credentials it grants nothing, and with
/// wrong ones it returns 401. <c>POST /token</c> is the OAuth2 form of distribution's token specification:
/// <c>grant_type=refresh_token</c> with <see cref="RefreshToken"/> grants every requested action.
/// </remarks>
internal sealed class TokenService : IDisposable
{
    /// <summary>The <c>service</c> and <c>issuer</c> that eng/registry.sh writes into the registry's config.</summary>
    public const string Service = "ocibuild-test-registry";

    public const string Issuer = "ocibuild-test-token-service";

    private const int TokenLifetimeSeconds = 300;

    private readonly HttpListener _listener = new();
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _keyId;
    private readonly Task _loop;

    /// <summary>Starts the service and writes its signing certificate to <paramref name="certificateBundlePath"/>.</summary>
    public TokenService(string certificateBundlePath, (string User, string Password)? account = null, string? refreshToken = null)
    {
        Account = account;
        RefreshToken = refreshToken;
        CertificateBundlePath = certificateBundlePath;
        _keyId = LibtrustKeyId(_key.ExportSubjectPublicKeyInfo());

        var request = new CertificateRequest("CN=OciBuild test token signer", _key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(certificateBundlePath, certificate.ExportCertificatePem());

        Realm = $"http://{LoopbackHttpServer.Start(_listener)}/token";
        _loop = Task.Run(() => LoopbackHttpServer.ServeAsync(_listener, HandleAsync));
    }

    /// <summary>The URL that the registry names as <c>realm</c> in its Bearer challenges.</summary>
    public string Realm { get; }

    /// <summary>The PEM file with the signing certificate, for the registry's <c>rootcertbundle</c>.</summary>
    public string CertificateBundlePath { get; }

    /// <summary>The only account that <c>GET /token</c> grants access to. When null, anonymous requests get access.</summary>
    public (string User, string Password)? Account { get; }

    /// <summary>The refresh token that <c>POST /token</c> accepts. When null, every refresh is rejected.</summary>
    public string? RefreshToken { get; }

    /// <summary>Every token request: method, grant type (for POST), scopes and whether it carried credentials.</summary>
    public ConcurrentQueue<(string Method, string? GrantType, string Scope, bool Authenticated)> Requests { get; } = new();

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _key.Dispose();
    }

    /// <summary>
    /// Returns libtrust's key ID: the first 240 bits of the SHA-256 of the DER public key, in base32
    /// without padding, split into groups of four characters by colons.
    /// </summary>
    internal static string LibtrustKeyId(byte[] subjectPublicKeyInfo)
    {
        string encoded = Base32(SHA256.HashData(subjectPublicKeyInfo)[..30]);
        return string.Join(':', Enumerable.Range(0, encoded.Length / 4).Select(i => encoded.Substring(i * 4, 4)));
    }

    private static string Base32(byte[] data)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var text = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        foreach (byte b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            text.Append(alphabet[(buffer << (5 - bits)) & 31]);
        }

        return text.ToString();
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (request.Url!.AbsolutePath != "/token")
        {
            response.StatusCode = 404;
            response.Close();
            return;
        }

        if (request.HttpMethod == "POST")
        {
            await HandleOAuthAsync(request, response);
            return;
        }

        string? authorization = request.Headers["Authorization"];
        string[] scopes = request.QueryString.GetValues("scope") ?? [];
        Requests.Enqueue(("GET", null, string.Join(' ', scopes), authorization is not null));
        if (request.QueryString["service"] != Service)
        {
            await RejectAsync(response, 400);
            return;
        }

        string? user = null;
        if (authorization is not null)
        {
            user = AuthenticatedUser(authorization);
            if (user is null)
            {
                await RejectAsync(response, 401);
                return;
            }
        }

        bool granted = user is not null || Account is null;
        string token = CreateToken(user ?? "", granted ? scopes : []);
        await WriteJsonAsync(response, new Dictionary<string, object> { ["token"] = token, ["access_token"] = token, ["expires_in"] = TokenLifetimeSeconds });
    }

    private async Task HandleOAuthAsync(HttpListenerRequest request, HttpListenerResponse response)
    {
        using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
        var form = System.Web.HttpUtility.ParseQueryString(await reader.ReadToEndAsync());
        string? grantType = form["grant_type"];
        string[] scopes = (form["scope"] ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Requests.Enqueue(("POST", grantType, string.Join(' ', scopes), form["refresh_token"] is not null));
        if (form["service"] != Service || grantType != "refresh_token" || RefreshToken is null || form["refresh_token"] != RefreshToken)
        {
            await RejectAsync(response, 401);
            return;
        }

        string token = CreateToken("refresh-token-user", scopes);
        await WriteJsonAsync(response, new Dictionary<string, object> { ["access_token"] = token, ["expires_in"] = TokenLifetimeSeconds, ["scope"] = string.Join(' ', scopes) });
    }

    private string? AuthenticatedUser(string authorization)
    {
        if (Account is not { } account || !authorization.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return null;
        }

        string decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..]));
        return decoded == $"{account.User}:{account.Password}" ? account.User : null;
    }

    /// <summary>Signs a token that grants each scope (<c>TYPE:NAME:ACTION,ACTION</c>) whole.</summary>
    private string CreateToken(string subject, IEnumerable<string> scopes)
    {
        var access = new List<object>();
        foreach (string scope in scopes)
        {
            int first = scope.IndexOf(':');
            int last = scope.LastIndexOf(':');
            if (first < 0 || last <= first)
            {
                continue;
            }

            access.Add(new { type = scope[..first], name = scope[(first + 1)..last], actions = scope[(last + 1)..].Split(',') });
        }

        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { typ = "JWT", alg = "ES256", kid = _keyId }));
        string claims = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new
        {
            iss = Issuer,
            sub = subject,
            aud = Service,
            exp = now + TokenLifetimeSeconds,
            nbf = now - 10,
            iat = now,
            jti = Guid.NewGuid().ToString("N"),
            access,
        }));

        // JWS wants the raw r||s form of an ECDSA signature, which is .NET's default (IEEE P1363) format.
        byte[] signature = _key.SignData(Encoding.ASCII.GetBytes($"{header}.{claims}"), HashAlgorithmName.SHA256);
        return $"{header}.{claims}.{Base64Url(signature)}";
    }

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static Task RejectAsync(HttpListenerResponse response, int status)
        => WriteJsonAsync(response, new Dictionary<string, object> { ["errors"] = new[] { new { code = "UNAUTHORIZED", message = $"token request rejected with {status}" } } }, status);

    private static async Task WriteJsonAsync(HttpListenerResponse response, object body, int status = 200)
    {
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(body);
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }
}
