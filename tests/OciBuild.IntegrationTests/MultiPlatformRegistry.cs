namespace OciBuild.IntegrationTests;

/// <summary>
/// A second loopback registry whose dotnet/runtime:10.0 is an image index for linux/amd64 and
/// linux/arm64 (eng/make-base-images.sh --multi-platform). The test bed's own registry keeps the
/// single-platform base images, whose digests other tests compare against.
/// </summary>
public sealed class MultiPlatformRegistry : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ocibuild-multi-platform-").FullName;

    public TestRegistry Registry { get; private set; } = null!;

    public string Address => Registry.Address;

    public async Task InitializeAsync()
    {
        Registry = await TestRegistry.StartAsync(Path.Combine(_directory, "registry"));
        await ProcessRunner.RunCheckedAsync(RepositoryPaths.Script("make-base-images.sh"), ["--multi-platform", Registry.Address]);
    }

    public async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
