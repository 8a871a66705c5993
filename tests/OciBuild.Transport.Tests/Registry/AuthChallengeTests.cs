using OciBuild.Transport.Registry;

namespace OciBuild.Transport.Tests.Registry;

public class AuthChallengeTests
{
    [Fact]
    public void Parse_reads_basic_realm()
    {
        var challenge = AuthChallenge.Parse("Basic realm=\"ocibuild-test-registry\"");

        Assert.NotNull(challenge);
        Assert.Equal("Basic", challenge.Scheme);
        Assert.Equal("ocibuild-test-registry", challenge.Realm);
    }

    [Fact]
    public void Parse_reads_bearer_parameters()
    {
        const string header = "Bearer realm=\"https://auth.registry.test/token\",service=\"registry.test\",scope=\"repository:team/app:pull,push\"";

        var challenge = AuthChallenge.Parse(header);

        Assert.NotNull(challenge);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Equal("https://auth.registry.test/token", challenge.Realm);
        Assert.Equal("registry.test", challenge.Service);
        Assert.Equal("repository:team/app:pull,push", challenge.Parameters["scope"]);
    }

    [Theory]
    // A quoted scope may contain commas and several space-separated scopes.
    [InlineData("Bearer realm=\"r\",scope=\"repository:a:pull,push repository:b:pull\"", "scope", "repository:a:pull,push repository:b:pull")]
    // A backslash inside a quoted string escapes the next character.
    [InlineData("Bearer realm=\"r\",error=\"x\\\"y\",scope=\"s\"", "error", "x\"y")]
    [InlineData("Bearer realm=\"r\",error=\"x\\\"y\",scope=\"s\"", "scope", "s")]
    [InlineData("Bearer realm=\"r\",error=\"a\\\\b\"", "error", "a\\b")]
    [InlineData("Bearer realm=https://auth.registry.test/token,service=registry.test", "realm", "https://auth.registry.test/token")]
    [InlineData("Bearer realm=https://auth.registry.test/token,service=registry.test", "service", "registry.test")]
    [InlineData("Bearer realm=\"r\", service=\"s\"", "service", "s")]
    [InlineData("Bearer realm=\"r\" , service=\"s\"", "service", "s")]
    [InlineData("Bearer realm = \"r\"", "realm", "r")]
    [InlineData("Bearer realm= r ,service=s", "realm", "r")]
    [InlineData("Bearer REALM=\"r\"", "realm", "r")]
    [InlineData("Bearer realm=\"https://auth.registry.test/token?a=1&b=2\"", "realm", "https://auth.registry.test/token?a=1&b=2")]
    [InlineData("  Bearer realm=\"r\"  ", "realm", "r")]
    public void Parse_reads_parameter(string header, string name, string expected)
    {
        var challenge = AuthChallenge.Parse(header);

        Assert.NotNull(challenge);
        Assert.Equal(expected, challenge.Parameters.GetValueOrDefault(name));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_returns_null_for_empty(string? header)
    {
        Assert.Null(AuthChallenge.Parse(header));
    }

    [Theory]
    [InlineData("Bearer", "Bearer")]
    [InlineData("Bearer realm", "Bearer")]
    [InlineData("Bearer \"realm\"", "Bearer")]
    [InlineData("Negotiate", "Negotiate")]
    public void Parse_garbage_has_no_realm(string header, string scheme)
    {
        var challenge = AuthChallenge.Parse(header);

        Assert.NotNull(challenge);
        Assert.Equal(scheme, challenge.Scheme);
        Assert.Null(challenge.Realm);
    }

    [Fact]
    public void Parse_unterminated_quote_keeps_rest()
    {
        var challenge = AuthChallenge.Parse("Bearer realm=\"https://auth.registry.test/token");

        Assert.Equal("https://auth.registry.test/token", challenge?.Realm);
    }
}
