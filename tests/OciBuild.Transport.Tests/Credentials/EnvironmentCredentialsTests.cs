using OciBuild.Transport.Credentials;

namespace OciBuild.Transport.Tests.Credentials;

public sealed class EnvironmentCredentialsTests : IDisposable
{
    private readonly FakeUserEnvironment _user = new();

    public void Dispose() => _user.Dispose();

    [Theory]
    [InlineData("127.0.0.1:5000", "127_0_0_1_5000")]
    [InlineData("registry.example.com", "REGISTRY_EXAMPLE_COM")]
    [InlineData("my-registry.local:443", "MY_REGISTRY_LOCAL_443")]
    [InlineData("[::1]:5000", "___1__5000")]
    public void VariablePart_replaces_non_alphanumerics(string registry, string expected)
    {
        Assert.Equal(expected, EnvironmentCredentials.VariablePart(registry));
    }

    [Fact]
    public void Registry_specific_pair_wins()
    {
        _user.Variables["OCIBUILD_REGISTRY_USERNAME"] = "everyone";
        _user.Variables["OCIBUILD_REGISTRY_PASSWORD"] = "p1";
        _user.Variables["OCIBUILD_REGISTRY_127_0_0_1_5000_USERNAME"] = "special";
        _user.Variables["OCIBUILD_REGISTRY_127_0_0_1_5000_PASSWORD"] = "p2";

        var found = EnvironmentCredentials.Find("127.0.0.1:5000", _user.Environment);

        Assert.NotNull(found);
        Assert.Equal("special", found.UserName);
        Assert.Equal("p2", found.Password);
        Assert.Contains("OCIBUILD_REGISTRY_127_0_0_1_5000_USERNAME", found.Source);
    }

    [Fact]
    public void Generic_pair_serves_other_registries()
    {
        _user.Variables["OCIBUILD_REGISTRY_USERNAME"] = "everyone";
        _user.Variables["OCIBUILD_REGISTRY_PASSWORD"] = "p1";
        _user.Variables["OCIBUILD_REGISTRY_127_0_0_1_5000_USERNAME"] = "special";
        _user.Variables["OCIBUILD_REGISTRY_127_0_0_1_5000_PASSWORD"] = "p2";

        var found = EnvironmentCredentials.Find("localhost:6000", _user.Environment);

        Assert.NotNull(found);
        Assert.Equal("everyone", found.UserName);
    }

    [Fact]
    public void Half_a_pair_is_ignored()
    {
        _user.Variables["OCIBUILD_REGISTRY_USERNAME"] = "everyone";

        Assert.Null(EnvironmentCredentials.Find("localhost:5000", _user.Environment));
    }
}
