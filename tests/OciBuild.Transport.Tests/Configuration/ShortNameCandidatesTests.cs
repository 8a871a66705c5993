using OciBuild.Transport.Configuration;
using OciBuild.Transport.Tests.Credentials;

namespace OciBuild.Transport.Tests.Configuration;

public sealed class ShortNameCandidatesTests : IDisposable
{
    private readonly FakeUserEnvironment _user = new();

    public void Dispose() => _user.Dispose();

    [Theory]
    [InlineData("app", new[] { "one.test/app:latest", "two.test:5000/app:latest" })]
    [InlineData("team/app:1", new[] { "one.test/team/app:1", "two.test:5000/team/app:1" })]
    [InlineData("app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        new[] { "one.test/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "two.test:5000/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" })]
    public void Search_registries_are_tried_in_order(string shortName, string[] expected)
    {
        var configuration = RegistriesConfiguration.Parse("""unqualified-search-registries = ["one.test", "two.test:5000"]""");

        var candidates = ShortNameCandidates.Resolve(shortName, configuration);

        Assert.Equal(expected, candidates.References.Select(r => r.ToString()));
        Assert.Null(candidates.Alias);
    }

    [Theory]
    [InlineData("tool", "mirror.test/team/tool:latest")]
    [InlineData("tool:2", "mirror.test/team/tool:2")]
    [InlineData("team/tool:3", "other.test/tool:3")]
    public void Alias_is_the_only_candidate(string shortName, string expected)
    {
        var configuration = RegistriesConfiguration.Parse("""
            unqualified-search-registries = ["one.test"]
            [aliases]
            "tool" = "mirror.test/team/tool"
            "team/tool" = "other.test/tool"
            """);

        var candidates = ShortNameCandidates.Resolve(shortName, configuration);

        Assert.Equal([expected], candidates.References.Select(r => r.ToString()));
        Assert.NotNull(candidates.Alias);
    }

    [Fact]
    public void Empty_search_list_falls_back_to_docker_hub()
    {
        var candidates = ShortNameCandidates.Resolve("app:1", RegistriesConfiguration.Empty);

        Assert.Equal(["docker.io/library/app:1"], candidates.References.Select(r => r.ToString()));
    }

    [Fact]
    public void Containers_variable_names_the_file()
    {
        string path = Path.Combine(_user.Root, "containers.conf");
        File.WriteAllText(path, """unqualified-search-registries = ["from-variable.test"]""");
        _user.Variables[RegistriesConfiguration.ContainersPathVariable] = path;

        var configuration = RegistriesConfiguration.Load(_user.Environment);

        Assert.Equal(["from-variable.test"], configuration.UnqualifiedSearchRegistries);
        Assert.Equal([path], configuration.Files);
    }

    [Fact]
    public void Ocibuild_variable_wins_over_containers_variable()
    {
        string ours = Path.Combine(_user.Root, "ours.conf");
        string theirs = Path.Combine(_user.Root, "theirs.conf");
        File.WriteAllText(ours, """unqualified-search-registries = ["ours.test"]""");
        File.WriteAllText(theirs, """unqualified-search-registries = ["theirs.test"]""");
        _user.Variables[RegistriesConfiguration.PathVariable] = ours;
        _user.Variables[RegistriesConfiguration.ContainersPathVariable] = theirs;

        var configuration = RegistriesConfiguration.Load(_user.Environment);

        Assert.Equal(["ours.test"], configuration.UnqualifiedSearchRegistries);
    }
}
