namespace OciBuild.IntegrationTests;

/// <summary>
/// What the end-to-end tests share: a plain-HTTP registry holding the base images, a copy of the
/// HelloEcho sample that restores OciBuild.Tasks from artifacts/packages into a private NuGet folder,
/// and a scratch folder. Requires eng/build.sh to have run, root, and eng/install-prereqs.sh packages.
/// </summary>
public sealed class TestBed : IAsyncLifetime
{
    public string WorkDirectory { get; } = Directory.CreateTempSubdirectory("ocibuild-it-").FullName;

    public TestRegistry Registry { get; private set; } = null!;

    public string BaseImage => $"{Registry.Address}/dotnet/runtime:10.0";

    public string SampleDirectory => Path.Combine(WorkDirectory, "sample", "HelloEcho");

    private string NuGetPackages => Path.Combine(WorkDirectory, "nuget-packages");

    public async Task InitializeAsync()
    {
        foreach (string required in new[] { RepositoryPaths.Ocibuild, Path.Combine(RepositoryPaths.Packages, "OciBuild.Tasks.0.1.0.nupkg") })
        {
            if (!File.Exists(required))
            {
                throw new InvalidOperationException($"{required} is missing; run eng/build.sh before the integration tests");
            }
        }

        Registry = await TestRegistry.StartAsync(Path.Combine(WorkDirectory, "registry"));
        await ProcessRunner.RunCheckedAsync(RepositoryPaths.Script("make-base-images.sh"), [Registry.Address]);
        CopySample();
    }

    public async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
        Directory.Delete(WorkDirectory, recursive: true);
    }

    /// <summary>Creates an empty folder for one test, such as a private image store.</summary>
    public string NewDirectory(string name) => Directory.CreateDirectory(Path.Combine(WorkDirectory, $"{name}-{Guid.NewGuid():N}")).FullName;

    /// <summary>Runs <c>dotnet publish</c> on the sample with the given MSBuild properties, as a user would.</summary>
    public Task<ProcessResult> PublishAsync(IEnumerable<string> properties, IReadOnlyDictionary<string, string?>? environment = null, string target = "PublishOciImage")
    {
        var arguments = new List<string> { "publish", "-c", "Release", "-nologo", "-v:minimal" };
        if (target.Length > 0)
        {
            arguments.Add($"-t:{target}");
        }

        arguments.AddRange(properties.Select(p => $"-p:{p}"));
        var variables = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = NuGetPackages };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[name] = value;
        }

        return ProcessRunner.RunAsync("dotnet", arguments, SampleDirectory, variables);
    }

    /// <summary>Runs artifacts/ocibuild with a private store.</summary>
    public Task<ProcessResult> OcibuildAsync(string storeRoot, params string[] arguments)
        => ProcessRunner.RunAsync(RepositoryPaths.Ocibuild, arguments, WorkDirectory, new Dictionary<string, string?> { ["OCIBUILD_STORAGE"] = storeRoot });

    // The sample is copied so that test builds leave the repository's own sample untouched, with a
    // nuget.config whose feed path is absolute.
    private void CopySample()
    {
        string source = Path.Combine(RepositoryPaths.Root, "samples", "HelloEcho");
        Directory.CreateDirectory(SampleDirectory);
        foreach (string file in new[] { "HelloEcho.csproj", "Program.cs" })
        {
            File.Copy(Path.Combine(source, file), Path.Combine(SampleDirectory, file));
        }

        string sampleRoot = Path.GetDirectoryName(SampleDirectory)!;
        File.WriteAllText(Path.Combine(sampleRoot, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(sampleRoot, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(sampleRoot, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="ocibuild-local" value="{RepositoryPaths.Packages}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="ocibuild-local"><package pattern="OciBuild.*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
    }
}

[CollectionDefinition(Name)]
public sealed class TestBedCollection : ICollectionFixture<TestBed>
{
    public const string Name = "test bed";
}
