using OciBuild.Storage;

namespace OciBuild.IntegrationTests;

/// <summary>Several processes writing one local store at the same time.</summary>
[Collection(TestBedCollection.Name)]
public sealed class StoreConcurrencyTests
{
    private readonly TestBed _bed;

    public StoreConcurrencyTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Publishes_and_pull_share_store()
    {
        string store = _bed.NewDirectory("store");
        string firstSample = CopySample("first");
        string secondSample = CopySample("second");

        var results = await Task.WhenAll(
            PublishAsync(firstSample, store, "first"),
            PublishAsync(secondSample, store, "second"),
            _bed.OcibuildAsync(store, "pull", "--tls-verify=false", $"{_bed.Registry.Address}/dotnet/runtime-deps:10.0"));

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        var local = new LocalImageStore(store);
        var names = (await local.ListImagesAsync(CancellationToken.None)).SelectMany(i => i.Names).ToList();
        Assert.Contains("localhost/helloecho:first", names);
        Assert.Contains("localhost/helloecho:second", names);
        Assert.Contains($"{_bed.Registry.Address}/dotnet/runtime-deps:10.0", names);
        foreach (string name in names)
        {
            var inspect = await ProcessRunner.RunAsync("skopeo", ["inspect", $"oci:{store}:{name}"]);
            Assert.True(inspect.ExitCode == 0, $"skopeo cannot read {name}: {inspect}");
            await AssertBlobsCompleteAsync(local, name);
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(store, "blobs", "sha256"), ".tmp-*"));
    }

    private static async Task AssertBlobsCompleteAsync(LocalImageStore local, string name)
    {
        var image = await local.GetImageAsync(name, CancellationToken.None);
        var manifest = await local.ReadManifestAsync(image.Manifest.Digest, CancellationToken.None);
        foreach (var blob in manifest.Layers.Append(manifest.Config))
        {
            await using var stream = local.Blobs.Open(blob.Digest, blob.Size);

            // The stream raises at its end when the content does not match the digest and size.
            await stream.CopyToAsync(Stream.Null);
        }
    }

    /// <summary>Copies the test bed's sample, so that two builds do not share obj and bin folders.</summary>
    private string CopySample(string name)
    {
        string source = Path.GetDirectoryName(_bed.SampleDirectory)!;
        string target = _bed.NewDirectory($"sample-{name}");
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        string project = Directory.CreateDirectory(Path.Combine(target, "HelloEcho")).FullName;
        foreach (string file in new[] { "HelloEcho.csproj", "Program.cs" })
        {
            File.Copy(Path.Combine(_bed.SampleDirectory, file), Path.Combine(project, file));
        }

        return project;
    }

    private Task<ProcessResult> PublishAsync(string projectDirectory, string store, string tag)
    {
        string[] arguments =
        [
            "publish", "-c", "Release", "-nologo", "-v:minimal", "-t:PublishOciImage",
            $"-p:OciLocalStore={store}", "-p:OciTlsVerify=false", $"-p:OciBaseImage={_bed.BaseImage}", $"-p:OciTags={tag}",
        ];

        // The same package folder as the test bed's other publishes, so the restore finds OciBuild.Tasks there.
        var environment = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(_bed.WorkDirectory, "nuget-packages") };
        return ProcessRunner.RunAsync("dotnet", arguments, projectDirectory, environment);
    }
}
