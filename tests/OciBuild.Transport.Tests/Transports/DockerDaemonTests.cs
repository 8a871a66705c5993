using System.Formats.Tar;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Storage;
using OciBuild.Transport.Daemon;
using OciBuild.Transport.Layout;
using OciBuild.Transport.Registry;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Transports;

public sealed class DockerDaemonTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private FakeDockerEngine _engine = null!;

    public Task InitializeAsync()
    {
        _engine = new FakeDockerEngine(Path.Combine(_temp.Path, "docker.sock"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task Destination_posts_docker_archive()
    {
        var image = TestImage.Create(layerCount: 2);
        using var context = CreateContext(_engine.Host);

        using (var destination = (DockerDaemonDestination)context.OpenDestination(ImageLocation.Parse("docker-daemon:app:1")))
        {
            await TransportCopies.WriteAsync(image, destination, "1");
        }

        var request = Assert.Single(_engine.Requests);
        Assert.Equal("POST", request.Method);
        Assert.StartsWith("/images/load", request.Target);
        Assert.Equal("application/x-tar", request.ContentType);
        var files = await ReadTarAsync(request.Body);
        using var manifest = JsonDocument.Parse(files["manifest.json"]);
        var entry = Assert.Single(manifest.RootElement.EnumerateArray().ToList());
        Assert.Equal(["docker.io/library/app:1"], entry.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString()));
        var layers = entry.GetProperty("Layers").EnumerateArray().Select(l => Digest.Compute(files[l.GetString()!])).ToList();
        Assert.Equal(image.Config.RootFs.DiffIds, layers);
    }

    [Fact]
    public async Task Skopeo_reads_loaded_archive()
    {
        var image = TestImage.Create(layerCount: 2);
        using var context = CreateContext(_engine.Host);
        using (var destination = (DockerDaemonDestination)context.OpenDestination(ImageLocation.Parse("docker-daemon:team/app:2")))
        {
            await TransportCopies.WriteAsync(image, destination, "2");
        }

        string archive = Path.Combine(_temp.Path, "loaded.tar");
        await File.WriteAllBytesAsync(archive, Assert.Single(_engine.Requests).Body);
        var inspected = await Skopeo.InspectAsync($"docker-archive:{archive}:team/app:2");

        Assert.Equal(image.Config.RootFs.DiffIds.Select(d => d.ToString()), inspected.Layers);
    }

    [Fact]
    public async Task Source_reads_saved_image()
    {
        var image = TestImage.Create(layerCount: 2);
        string layout = Path.Combine(_temp.Path, "layout");
        string archive = Path.Combine(_temp.Path, "saved.tar");
        await TransportCopies.WriteAsync(image, new OciLayoutDestination(layout), "1");
        await ExternalTool.RunCheckedAsync("skopeo", "copy", $"oci:{layout}:1", $"docker-archive:{archive}:app:1");
        _engine.SavedImages["docker.io/library/app:1"] = await File.ReadAllBytesAsync(archive);
        using var context = CreateContext(_engine.Host);

        var source = await context.OpenSourceAsync(ImageLocation.Parse("docker-daemon:app:1"), CancellationToken.None);
        var read = await TransportCopies.ReadAsync(source);
        ((IDisposable)source).Dispose();

        Assert.Equal("GET", Assert.Single(_engine.Requests).Method);
        Assert.Equal(image.Config.RootFs.DiffIds, read.Config.RootFs.DiffIds);
        Assert.Equal(image.Config.RootFs.DiffIds, read.ParsedManifest.Layers.Select(l => l.Digest));
    }

    [Fact]
    public async Task Source_reports_unknown_image()
    {
        using var context = CreateContext(_engine.Host);

        var error = await Assert.ThrowsAsync<OciException>(() => context.OpenSourceAsync(ImageLocation.Parse("docker-daemon:missing:1"), CancellationToken.None));

        Assert.Equal(ErrorCodes.ImageNotFound, error.Code);
        Assert.Contains("reference does not exist", error.Message);
    }

    [Fact]
    public async Task Destination_reports_load_error()
    {
        _engine.LoadError = "no space left on device";
        using var context = CreateContext(_engine.Host);
        using var destination = (DockerDaemonDestination)context.OpenDestination(ImageLocation.Parse("docker-daemon:app:1"));

        var error = await Assert.ThrowsAsync<OciException>(() => TransportCopies.WriteAsync(TestImage.Create(), destination, "1"));

        Assert.Equal(ErrorCodes.DaemonError, error.Code);
        Assert.Contains("no space left on device", error.Message);
    }

    [Fact]
    public async Task Client_reports_missing_socket()
    {
        string host = "unix://" + Path.Combine(_temp.Path, "absent.sock");
        using var context = CreateContext(host);

        var error = await Assert.ThrowsAsync<OciException>(() => context.OpenSourceAsync(ImageLocation.Parse("docker-daemon:app:1"), CancellationToken.None));

        Assert.Equal(ErrorCodes.DaemonError, error.Code);
        Assert.Contains(host, error.Message);
        Assert.Contains("DOCKER_HOST", error.Message);
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:2375")]
    [InlineData("unix://")]
    public void Client_rejects_host_that_is_not_socket(string host)
    {
        var error = Assert.Throws<OciException>(() => new DockerDaemonClient(host));

        Assert.Equal(ErrorCodes.UnsupportedOperation, error.Code);
    }

    [Fact]
    public void Destination_rejects_image_id()
    {
        using var context = CreateContext(_engine.Host);

        var error = Assert.Throws<OciException>(() => context.OpenDestination(ImageLocation.Parse("docker-daemon:sha256:" + new string('b', 64))));

        Assert.Equal(ErrorCodes.UnsupportedOperation, error.Code);
    }

    [Fact]
    public void Host_comes_from_setting_then_environment()
    {
        string? saved = Environment.GetEnvironmentVariable("DOCKER_HOST");
        try
        {
            Environment.SetEnvironmentVariable("DOCKER_HOST", _engine.Host);
            Assert.Equal("unix:///elsewhere.sock", DockerDaemonClient.ResolveHost("unix:///elsewhere.sock"));
            Assert.Equal(_engine.Host, DockerDaemonClient.ResolveHost(null));

            Environment.SetEnvironmentVariable("DOCKER_HOST", null);
            Assert.Equal("unix:///var/run/docker.sock", DockerDaemonClient.ResolveHost(null));
        }
        finally
        {
            Environment.SetEnvironmentVariable("DOCKER_HOST", saved);
        }
    }

    private TransportContext CreateContext(string dockerHost)
        => new(new LocalImageStore(Path.Combine(_temp.Path, "store")), _ => new RegistryOptions(), NullLogger.Instance) { DockerHost = dockerHost };

    private static async Task<Dictionary<string, byte[]>> ReadTarAsync(byte[] archive)
    {
        var files = new Dictionary<string, byte[]>();
        await using var reader = new TarReader(new MemoryStream(archive));
        while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
        {
            if (entry.DataStream is not null)
            {
                using var buffer = new MemoryStream();
                await entry.DataStream.CopyToAsync(buffer);
                files[entry.Name] = buffer.ToArray();
            }
        }

        return files;
    }
}
