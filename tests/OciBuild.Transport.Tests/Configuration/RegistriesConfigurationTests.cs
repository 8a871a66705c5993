using OciBuild.Core.Errors;
using OciBuild.Transport.Configuration;
using OciBuild.Transport.Tests.Credentials;

namespace OciBuild.Transport.Tests.Configuration;

public sealed class RegistriesConfigurationTests : IDisposable
{
    private const string Sample = """
        unqualified-search-registries = ["registry.example.com", "docker.io"]

        [aliases]
        "app" = "registry.example.com/team/app"

        [[registry]]
        location = "localhost:5000"
        insecure = true

        [[registry]]
        prefix = "*.internal.example"
        location = "mirror.internal.example"
        insecure = true

        [[registry]]
        location = "blocked.example.com"
        blocked = true
        """;

    private readonly FakeUserEnvironment _user = new();

    public void Dispose() => _user.Dispose();

    [Fact]
    public void Parse_reads_search_registries_and_aliases()
    {
        var configuration = RegistriesConfiguration.Parse(Sample);

        Assert.Equal(["registry.example.com", "docker.io"], configuration.UnqualifiedSearchRegistries);
        Assert.Equal("registry.example.com/team/app", configuration.Aliases["app"]);
        Assert.Equal(3, configuration.Registries.Count);
    }

    [Theory]
    [InlineData("localhost:5000", true)]
    [InlineData("localhost:5001", false)]
    [InlineData("a.internal.example", true)]
    [InlineData("internal.example", false)]
    [InlineData("blocked.example.com", false)]
    public void IsInsecure_follows_matching_entry(string registry, bool expected)
    {
        Assert.Equal(expected, RegistriesConfiguration.Parse(Sample).IsInsecure(registry));
    }

    [Fact]
    public void FindRegistry_prefers_longest_prefix()
    {
        var configuration = RegistriesConfiguration.Parse("""
            [[registry]]
            location = "r.example.com"
            [[registry]]
            prefix = "r.example.com/team"
            location = "r.example.com/team"
            insecure = true
            """);

        Assert.True(configuration.FindRegistry("r.example.com/team/app")?.Insecure);
        Assert.False(configuration.FindRegistry("r.example.com/other/app")?.Insecure);
        Assert.Null(configuration.FindRegistry("r.example.community/app"));
    }

    [Fact]
    public void Parse_reads_v1_insecure_list()
    {
        var configuration = RegistriesConfiguration.Parse("""
            [registries.insecure]
            registries = ["old.example.com:5000"]
            """);

        Assert.True(configuration.IsInsecure("old.example.com:5000"));
    }

    [Theory]
    [InlineData("unqualified-search-registries = \"docker.io\"")]
    [InlineData("[[registry]]\ninsecure = true")]
    [InlineData("[[registry]\nlocation = 1")]
    public void Parse_rejects_invalid_files(string text)
    {
        var error = Assert.Throws<OciException>(() => RegistriesConfiguration.Parse(text, "/tmp/test.conf"));

        Assert.Equal(ErrorCodes.RegistriesConfInvalid, error.Code);
        Assert.Contains("/tmp/test.conf", error.Message);
    }

    [Fact]
    public void Load_applies_drop_ins_in_name_order()
    {
        string main = Path.Combine(_user.Root, "registries.conf");
        File.WriteAllText(main, Sample);
        Directory.CreateDirectory(main + ".d");
        File.WriteAllText(Path.Combine(main + ".d", "20-second.conf"), "[aliases]\n\"app\" = \"\"\n\"tool\" = \"second.example/tool\"\n");
        File.WriteAllText(Path.Combine(main + ".d", "10-first.conf"), "unqualified-search-registries = [\"first.example\"]\n[aliases]\n\"tool\" = \"first.example/tool\"\n[[registry]]\nlocation = \"localhost:5000\"\ninsecure = false\n");
        File.WriteAllText(Path.Combine(main + ".d", "ignored.txt"), "not toml [");
        _user.Variables[RegistriesConfiguration.PathVariable] = main;

        var configuration = RegistriesConfiguration.Load(_user.Environment);

        Assert.Equal(["first.example"], configuration.UnqualifiedSearchRegistries);
        Assert.False(configuration.IsInsecure("localhost:5000"));
        Assert.False(configuration.Aliases.ContainsKey("app"));
        Assert.Equal("second.example/tool", configuration.Aliases["tool"]);
        Assert.Equal(3, configuration.Files.Count);
    }

    [Fact]
    public void Load_prefers_user_file_over_system_file()
    {
        string user = Path.Combine(_user.Home, ".config", "containers", "registries.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(user)!);
        File.WriteAllText(user, "unqualified-search-registries = [\"user.example\"]\n");

        var configuration = RegistriesConfiguration.Load(_user.Environment);

        Assert.Equal(user, configuration.Files[0]);
        Assert.Contains("user.example", configuration.UnqualifiedSearchRegistries);
    }

    [Fact]
    public void Load_reads_containers_variable_file()
    {
        string user = Path.Combine(_user.Home, ".config", "containers", "registries.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(user)!);
        File.WriteAllText(user, "unqualified-search-registries = [\"user.example\"]\n");
        string named = Path.Combine(_user.Root, "named.conf");
        File.WriteAllText(named, "unqualified-search-registries = [\"named.example\"]\n");
        _user.Variables[RegistriesConfiguration.ContainersPathVariable] = named;

        var configuration = RegistriesConfiguration.Load(_user.Environment);

        Assert.Equal([named], configuration.Files);
        Assert.Equal(["named.example"], configuration.UnqualifiedSearchRegistries);
    }

    [Fact]
    public void Ocibuild_variable_wins_over_containers_variable()
    {
        string ours = Path.Combine(_user.Root, "ours.conf");
        string theirs = Path.Combine(_user.Root, "theirs.conf");
        File.WriteAllText(ours, "unqualified-search-registries = [\"ours.example\"]\n");
        File.WriteAllText(theirs, "unqualified-search-registries = [\"theirs.example\"]\n");
        _user.Variables[RegistriesConfiguration.PathVariable] = ours;
        _user.Variables[RegistriesConfiguration.ContainersPathVariable] = theirs;

        var configuration = RegistriesConfiguration.Load(_user.Environment);

        Assert.Equal([ours], configuration.Files);
        Assert.Equal(["ours.example"], configuration.UnqualifiedSearchRegistries);
    }

    [Fact]
    public void Factory_applies_insecure_unless_flag_given()
    {
        var configuration = RegistriesConfiguration.Parse(Sample);

        var fromFile = new RegistryOptionsFactory(_user.Environment, configuration).Create("localhost:5000");
        var fromFlag = new RegistryOptionsFactory(_user.Environment, configuration) { TlsVerify = true }.Create("localhost:5000");
        var otherRegistry = new RegistryOptionsFactory(_user.Environment, configuration).Create("localhost:5001");
        var flagOff = new RegistryOptionsFactory(_user.Environment, configuration) { TlsVerify = false }.Create("localhost:5001");

        Assert.True(fromFile.SkipCertificateVerification);
        Assert.True(fromFile.AllowPlainHttp);
        Assert.True(fromFlag.TlsVerify);
        Assert.True(otherRegistry.TlsVerify);
        Assert.False(flagOff.TlsVerify);
    }
}
