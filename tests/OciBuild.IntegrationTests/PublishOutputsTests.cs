namespace OciBuild.IntegrationTests;

/// <summary>The items and properties that PublishOciImage returns for later targets, as CI scripts read them.</summary>
[Collection(TestBedCollection.Name)]
public sealed class PublishOutputsTests
{
    private readonly TestBed _bed;

    public PublishOutputsTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Outputs_describe_pushed_image()
    {
        string outputs = Path.Combine(_bed.NewDirectory("outputs"), "outputs.txt");
        string project = _bed.WriteProject("Outputs", $"""
              <Target Name="WriteOciOutputs" AfterTargets="PublishOciImage">
                <WriteLinesToFile File="{outputs}" Overwrite="true"
                                  Lines="digest=$(GeneratedOciManifestDigest);id=$(GeneratedOciImageId);type=$(GeneratedOciManifestMediaType);@(GeneratedOciImage->'image=%(Identity) %(ManifestDigest) %(ImageId)')" />
              </Target>
            """);
        string repository = $"{_bed.Registry.Address}/outputs";

        var publish = await _bed.PublishProjectAsync(project, [$"OciRegistry={_bed.Registry.Address}", "OciTlsVerify=false", $"OciBaseImage={_bed.BaseImage}", "OciRepository=outputs", "OciTags=1.0%3Blatest"]);
        Assert.True(publish.ExitCode == 0, publish.ToString());

        var lines = File.ReadAllLines(outputs);
        string digest = await Skopeo.DigestAsync($"{repository}:latest");
        string imageId = (await Skopeo.ManifestAsync($"{repository}:latest")).GetProperty("config").GetProperty("digest").GetString()!;

        Assert.Contains($"digest={digest}", lines);
        Assert.Contains($"id={imageId}", lines);
        Assert.Contains("type=application/vnd.oci.image.manifest.v1+json", lines);
        Assert.Contains($"image={repository}:1.0 {digest} {imageId}", lines);
        Assert.Contains($"image={repository}:latest {digest} {imageId}", lines);
    }
}
