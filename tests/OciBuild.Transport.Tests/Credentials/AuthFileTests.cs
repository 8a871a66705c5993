using System.Text.Json;
using OciBuild.Core.Errors;
using OciBuild.Transport.Credentials;
using OciBuild.Transport.Registry;

namespace OciBuild.Transport.Tests.Credentials;

public sealed class AuthFileTests : IDisposable
{
    private readonly FakeUserEnvironment _user = new();

    public void Dispose() => _user.Dispose();

    private string PathIn(string name) => Path.Combine(_user.Root, name);

    [Fact]
    public void Save_writes_containers_format_with_mode_0600()
    {
        string path = PathIn("sub/auth.json");
        var file = AuthFile.Load(path);

        file.SetCredentials("localhost:5000", new RegistryCredentials("alice", "pa:ss"));
        file.Save();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        string auth = document.RootElement.GetProperty("auths").GetProperty("localhost:5000").GetProperty("auth").GetString()!;
        Assert.Equal(FakeUserEnvironment.AuthValue("alice", "pa:ss"), auth);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }

    [Fact]
    public void Save_keeps_unknown_members()
    {
        string path = PathIn("auth.json");
        FakeUserEnvironment.WriteAuthFile(path, "other:1", "bob", "x", "\"credHelpers\": {\"gcr.io\": \"gcloud\"}, \"psFormat\": \"table\"");
        var file = AuthFile.Load(path);

        file.SetCredentials("localhost:5000", new RegistryCredentials("alice", "p"));
        file.Save();

        var reread = AuthFile.Load(path);
        Assert.Equal("bob", reread.GetCredentials("other:1")?.UserName);
        Assert.Equal("gcloud", reread.GetCredentialHelper("gcr.io"));
        Assert.Contains("psFormat", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("https://localhost:5000/v1/", "localhost:5000")]
    [InlineData("http://localhost:5000", "localhost:5000")]
    [InlineData("https://index.docker.io/v1/", "docker.io")]
    [InlineData("registry-1.docker.io", "docker.io")]
    public void GetCredentials_matches_url_keys(string key, string registry)
    {
        string path = PathIn("config.json");
        FakeUserEnvironment.WriteAuthFile(path, key, "alice", "p");

        var found = AuthFile.Load(path).GetCredentials(registry);

        Assert.NotNull(found);
        Assert.Equal("alice", found.UserName);
        Assert.Equal(path, found.Source);
    }

    [Fact]
    public void GetCredentials_skips_other_registries_and_empty_entries()
    {
        string path = PathIn("config.json");
        File.WriteAllText(path, """{"auths": {"localhost:5000": {}, "localhost:6000": {"auth": "YTpi"}}}""");

        var file = AuthFile.Load(path);

        Assert.Null(file.GetCredentials("localhost:5000"));
        Assert.Null(file.GetCredentials("localhost:7000"));
        Assert.Equal("a", file.GetCredentials("localhost:6000")?.UserName);
    }

    [Fact]
    public void Identity_token_wins_over_auth()
    {
        string path = PathIn("config.json");
        File.WriteAllText(path, """{"auths": {"localhost:5000": {"auth": "YTpi", "identitytoken": "refresh-123"}}}""");

        var found = AuthFile.Load(path).GetCredentials("localhost:5000");

        Assert.NotNull(found);
        Assert.True(found.IsIdentityToken);
        Assert.Equal(RegistryCredentials.IdentityTokenUserName, found.UserName);
        Assert.Equal("refresh-123", found.Password);
        Assert.Equal(path, found.Source);
    }

    [Fact]
    public void RemoveCredentials_removes_every_equivalent_key()
    {
        string path = PathIn("auth.json");
        File.WriteAllText(path, """{"auths": {"localhost:5000": {"auth": "YTpi"}, "https://localhost:5000": {"auth": "YTpi"}, "keep:1": {"auth": "YTpi"}}}""");
        var file = AuthFile.Load(path);

        Assert.True(file.RemoveCredentials("localhost:5000"));
        file.Save();

        var reread = AuthFile.Load(path);
        Assert.Null(reread.GetCredentials("localhost:5000"));
        Assert.NotNull(reread.GetCredentials("keep:1"));
        Assert.False(reread.RemoveCredentials("localhost:5000"));
    }

    [Fact]
    public void Invalid_json_error_hides_content()
    {
        string path = PathIn("auth.json");
        File.WriteAllText(path, """{"auths": {"x": {"auth": "c2VjcmV0LXZhbHVl" """);

        var error = Assert.Throws<OciException>(() => AuthFile.Load(path));

        Assert.Equal(ErrorCodes.CredentialsFileInvalid, error.Code);
        Assert.Contains(path, error.Message);
        Assert.DoesNotContain("c2VjcmV0LXZhbHVl", error.ToString());
    }

    [Fact]
    public void Auth_value_without_colon_is_invalid()
    {
        string path = PathIn("auth.json");
        string encoded = Convert.ToBase64String("nocolon"u8.ToArray());
        File.WriteAllText(path, "{\"auths\": {\"localhost:5000\": {\"auth\": \"" + encoded + "\"}}}");

        var error = Assert.Throws<OciException>(() => AuthFile.Load(path).GetCredentials("localhost:5000"));

        Assert.Equal(ErrorCodes.CredentialsFileInvalid, error.Code);
        Assert.DoesNotContain("nocolon", error.Message);
    }
}
