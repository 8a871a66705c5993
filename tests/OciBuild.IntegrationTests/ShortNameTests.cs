namespace OciBuild.IntegrationTests;

/// <summary>
/// Names without a registry in <c>from</c> and <c>pull</c>: the local store first, then registries.conf's
/// <c>[aliases]</c> or its <c>unqualified-search-registries</c> in order, with two loopback registries
/// of their own and a registries.conf named by <c>CONTAINERS_REGISTRIES_CONF</c>.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class ShortNameTests : IAsyncLifetime
{
    private readonly TestBed _bed;
    private TestRegistry _empty = null!;
    private TestRegistry _holding = null!;

    public ShortNameTests(TestBed bed)
    {
        _bed = bed;
    }

    public async Task InitializeAsync()
    {
        _empty = await TestRegistry.StartAsync(_bed.NewDirectory("empty-registry"));
        _holding = await TestRegistry.StartAsync(_bed.NewDirectory("holding-registry"));
        string source = $"docker://{_bed.Registry.Address}/dotnet/runtime-deps:10.0";
        foreach (string name in new[] { "team/tool:1", "myalias:1" })
        {
            await ProcessRunner.RunCheckedAsync("skopeo", ["copy", "--src-tls-verify=false", "--dest-tls-verify=false", source, $"docker://{_holding.Address}/{name}"]);
        }
    }

    public async Task DisposeAsync()
    {
        await _empty.DisposeAsync();
        await _holding.DisposeAsync();
    }

    [Fact]
    public async Task Pull_tries_search_registries_in_order()
    {
        string store = _bed.NewDirectory("store");
        string configuration = WriteRegistriesConf(aliases: "");

        var pull = await OcibuildAsync(store, configuration, "pull", "team/tool:1");
        var images = await OcibuildAsync(store, configuration, "images");

        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Contains($"trying {_empty.Address}/team/tool:1 for team/tool:1", pull.StandardError);
        Assert.Contains($"warning: pulling {_empty.Address}/team/tool:1 failed", pull.StandardError);
        Assert.Contains($"trying {_holding.Address}/team/tool:1 for team/tool:1", pull.StandardError);
        Assert.Contains($"{_holding.Address}/team/tool", images.StandardOutput);
    }

    [Fact]
    public async Task From_uses_local_image_before_registries()
    {
        string store = _bed.NewDirectory("store");
        string configuration = WriteRegistriesConf(aliases: "");
        var pull = await OcibuildAsync(store, configuration, "pull", "team/tool:1");
        Assert.True(pull.ExitCode == 0, pull.ToString());

        // A registries.conf that lists only the empty registry proves that from did not search again.
        string emptyOnly = WriteRegistriesConf(aliases: "", searchRegistries: [_empty.Address]);
        var from = await OcibuildAsync(store, emptyOnly, "from", "team/tool:1");
        var run = await OcibuildAsync(store, emptyOnly, "run", from.StandardOutput.Trim(), "--", "cat", "/etc/passwd");

        Assert.True(from.ExitCode == 0, from.ToString());
        Assert.Equal("tool-working-container", from.StandardOutput.Trim());
        Assert.DoesNotContain("trying", from.StandardError);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("root:", run.StandardOutput);
    }

    [Fact]
    public async Task Newer_policy_checks_registry_of_origin()
    {
        string store = _bed.NewDirectory("store");
        string configuration = WriteRegistriesConf(aliases: "");
        var pull = await OcibuildAsync(store, configuration, "pull", "team/tool:1");
        Assert.True(pull.ExitCode == 0, pull.ToString());

        // The image came from the second registry, so newer compares with it and searches no other.
        var newer = await OcibuildAsync(store, configuration, "--debug", "pull", "--pull", "newer", "team/tool:1");

        Assert.True(newer.ExitCode == 0, newer.ToString());
        Assert.Equal(pull.StandardOutput, newer.StandardOutput);
        Assert.Contains($"{_holding.Address}/v2/team/tool/manifests/1", newer.StandardError);
        Assert.Contains("up to date", newer.StandardError);
        Assert.DoesNotContain(_empty.Address, newer.StandardError);
    }

    [Fact]
    public async Task Missing_everywhere_lists_every_registry()
    {
        string store = _bed.NewDirectory("store");
        string configuration = WriteRegistriesConf(aliases: "");

        var pull = await OcibuildAsync(store, configuration, "from", "team/absent:1");

        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("image team/absent:1 was not found in any of the unqualified-search-registries of " + configuration, pull.StandardError);
        Assert.Contains($"tried {_empty.Address}/team/absent:1 (", pull.StandardError);
        Assert.Contains($"; {_holding.Address}/team/absent:1 (", pull.StandardError);
        Assert.Contains("[OCIB2115]", pull.StandardError);
        Assert.Empty(new OciBuild.Storage.LocalImageStore(store).ListContainers());
    }

    [Fact]
    public async Task Alias_wins_over_search()
    {
        string store = _bed.NewDirectory("store");
        string configuration = WriteRegistriesConf(aliases: $"""
            [aliases]
            "myalias" = "{_holding.Address}/team/tool"
            """);

        var pull = await OcibuildAsync(store, configuration, "pull", "myalias:1");
        var images = await OcibuildAsync(store, configuration, "images");

        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Contains($"myalias:1 is an alias of {_holding.Address}/team/tool:1 in registries.conf", pull.StandardError);
        Assert.DoesNotContain($"{_empty.Address}/myalias", pull.StandardError);
        Assert.Contains($"{_holding.Address}/team/tool", images.StandardOutput);
        Assert.DoesNotContain("myalias", images.StandardOutput);
    }

    private string WriteRegistriesConf(string aliases, string[]? searchRegistries = null)
    {
        searchRegistries ??= [_empty.Address, _holding.Address];
        string path = Path.Combine(_bed.NewDirectory("registries-conf"), "registries.conf");
        string registryTables = string.Join("\n", searchRegistries.Select(address => $"""
            [[registry]]
            location = "{address}"
            insecure = true
            """));
        File.WriteAllText(path, $"""
            unqualified-search-registries = [{string.Join(", ", searchRegistries.Select(a => $"\"{a}\""))}]

            {registryTables}

            {aliases}
            """);
        return path;
    }

    private Task<ProcessResult> OcibuildAsync(string store, string registriesConf, params string[] arguments)
        => ProcessRunner.RunAsync(RepositoryPaths.Ocibuild, arguments, _bed.WorkDirectory, new Dictionary<string, string?>
        {
            ["OCIBUILD_STORAGE"] = store,
            ["CONTAINERS_REGISTRIES_CONF"] = registriesConf,
            ["OCIBUILD_REGISTRIES_CONF"] = null,
        });
}
