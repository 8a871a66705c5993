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

    /// <summary>The private NuGet global packages folder (NUGET_PACKAGES) of every publish.</summary>
    public string NuGetPackages => Path.Combine(WorkDirectory, "nuget-packages");

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

    /// <summary>The properties that publish to <paramref name="repository"/> in the test registry, on the test base image.</summary>
    public string[] RegistryProperties(string repository) =>
    [
        $"OciRegistry={Registry.Address}",
        "OciTlsVerify=false",
        $"OciBaseImage={BaseImage}",
        $"OciRepository={repository}",
    ];

    /// <summary>An environment with SOURCE_DATE_EPOCH at 2023-11-14T22:13:20Z, so that equal publishes give equal digests.</summary>
    public static Dictionary<string, string?> EpochEnvironment() => new() { ["SOURCE_DATE_EPOCH"] = "1700000000" };

    /// <summary>Creates an empty folder for one test, such as a private image store.</summary>
    public string NewDirectory(string name) => Directory.CreateDirectory(Path.Combine(WorkDirectory, $"{name}-{Guid.NewGuid():N}")).FullName;

    /// <summary>Runs <c>dotnet publish</c> on the sample with the given MSBuild properties, as a user would.</summary>
    public Task<ProcessResult> PublishAsync(IEnumerable<string> properties, IReadOnlyDictionary<string, string?>? environment = null, string target = "PublishOciImage", string verbosity = "minimal")
        => PublishProjectAsync(SampleDirectory, properties, environment, target, verbosity);

    /// <summary>Runs <c>dotnet publish</c> on the project in <paramref name="projectDirectory"/>.</summary>
    public Task<ProcessResult> PublishProjectAsync(string projectDirectory, IEnumerable<string> properties, IReadOnlyDictionary<string, string?>? environment = null, string target = "PublishOciImage", string verbosity = "minimal")
    {
        var arguments = new List<string> { "publish", "-c", "Release", "-nologo", $"-v:{verbosity}" };
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

        return ProcessRunner.RunAsync("dotnet", arguments, projectDirectory, variables);
    }

    /// <summary>
    /// Writes a console project named <paramref name="name"/> next to the sample, with HelloEcho's
    /// Program.cs and <paramref name="projectBody"/> (property groups and item groups) in its project
    /// file. Writing the same name again replaces the project file, so that two publishes of one
    /// folder can compare settings while the compiled files stay identical.
    /// </summary>
    public string WriteProject(string name, string projectBody)
    {
        string directory = Path.Combine(Path.GetDirectoryName(SampleDirectory)!, name);
        Directory.CreateDirectory(directory);
        File.Copy(Path.Combine(RepositoryPaths.Root, "samples", "HelloEcho", "Program.cs"), Path.Combine(directory, "Program.cs"), overwrite: true);
        File.WriteAllText(Path.Combine(directory, $"{name}.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="OciBuild.Tasks" Version="0.1.0" />
              </ItemGroup>
            {projectBody}
            </Project>
            """);
        return directory;
    }

    /// <summary>Runs artifacts/ocibuild with a private store.</summary>
    public Task<ProcessResult> OcibuildAsync(string storeRoot, params string[] arguments)
        => ProcessRunner.RunAsync(RepositoryPaths.Ocibuild, arguments, WorkDirectory, new Dictionary<string, string?> { ["OCIBUILD_STORAGE"] = storeRoot });

    /// <summary>The copy of samples/<paramref name="name"/> that tests publish.</summary>
    public string SamplePath(string name) => Path.Combine(Path.GetDirectoryName(SampleDirectory)!, name);

    // The samples are copied so that test builds leave the repository's own samples untouched, with a
    // nuget.config whose feed path is absolute.
    private void CopySample()
    {
        foreach (string sample in new[] { "HelloEcho", "WebApi", "SelfContained", "MultiArch" })
        {
            string source = Path.Combine(RepositoryPaths.Root, "samples", sample);
            Directory.CreateDirectory(SamplePath(sample));
            foreach (string file in Directory.GetFiles(source).Where(f => f.EndsWith(".csproj") || f.EndsWith(".cs")))
            {
                File.Copy(file, Path.Combine(SamplePath(sample), Path.GetFileName(file)));
            }
        }

        // Self-contained publishes need the runtime pack, which the SDK does not install. Mapping the
        // runtime packs found in the user's global packages folder to that folder avoids downloading
        // them into this test bed's private folder on every run. Only those packs are mapped, so that
        // the others (linux-arm64 for MultiArch) still come from nuget.org.
        // NOTE: a mapped pack comes from that folder alone, so a folder without the SDK's version of
        // it fails the SelfContained restore.
        string globalPackages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var runtimePacks = Directory.Exists(globalPackages)
            ? Directory.GetDirectories(globalPackages)
                .Select(Path.GetFileName)
                .Where(name => name!.StartsWith("microsoft.netcore.app.runtime.", StringComparison.Ordinal) || name.StartsWith("microsoft.aspnetcore.app.runtime.", StringComparison.Ordinal))
                .ToList()
            : [];
        string runtimePackSource = runtimePacks.Count > 0
            ? $"""<add key="global-packages" value="{globalPackages}" />"""
            : "";
        string runtimePackMapping = runtimePacks.Count > 0
            ? $"""<packageSource key="global-packages">{string.Concat(runtimePacks.Select(id => $"<package pattern=\"{id}\" />"))}</packageSource>"""
            : "";

        string sampleRoot = Path.GetDirectoryName(SampleDirectory)!;
        File.WriteAllText(Path.Combine(sampleRoot, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(sampleRoot, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(sampleRoot, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="ocibuild-local" value="{RepositoryPaths.Packages}" />
                {runtimePackSource}
              </packageSources>
              <packageSourceMapping>
                <packageSource key="ocibuild-local"><package pattern="OciBuild.*" /></packageSource>
                {runtimePackMapping}
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
