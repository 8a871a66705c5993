using System.Text.RegularExpressions;

namespace OciBuild.IntegrationTests;

/// <summary>
/// The up-to-date check of PublishOciImage: a publish with the same inputs as the last one is skipped
/// but still sets its outputs, and any change of files, settings, tags or destination publishes again.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed partial class UpToDateTests
{
    private const string UpToDateMessage = "is up to date";
    private const string PushedMessage = "Pushed image";

    private readonly TestBed _bed;

    public UpToDateTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Unchanged_publish_is_skipped_with_outputs()
    {
        string project = WriteProject("UpToDateSkip");
        string digestFile = Path.Combine(_bed.NewDirectory("up-to-date-digest"), "image.digest");
        string[] properties = [.. _bed.RegistryProperties("up-to-date/skip"), "OciTags=\"1.0;latest\"", $"OciDigestFile={digestFile}"];

        var first = await PublishAsync(project, properties);
        var second = await PublishAsync(project, properties);
        string registryDigest = await Skopeo.DigestAsync($"{_bed.Registry.Address}/up-to-date/skip:1.0");

        Assert.Contains(PushedMessage, first.StandardOutput);
        Assert.DoesNotContain(UpToDateMessage, first.StandardOutput);
        Assert.Contains($"the image {registryDigest} at {_bed.Registry.Address}/up-to-date/skip:1.0 {_bed.Registry.Address}/up-to-date/skip:latest {UpToDateMessage}", second.StandardOutput);
        Assert.DoesNotContain(PushedMessage, second.StandardOutput);
        Assert.Equal(Outputs(first), Outputs(second));
        Assert.Equal($"digest={registryDigest} type=application/vnd.oci.image.manifest.v1+json images={_bed.Registry.Address}/up-to-date/skip:1.0@{registryDigest};{_bed.Registry.Address}/up-to-date/skip:latest@{registryDigest}", Outputs(second));
        Assert.Equal(registryDigest, File.ReadAllText(digestFile));
    }

    [Theory]
    [InlineData("OciTags=2.0")]
    [InlineData("OciRepository=up-to-date/moved")]
    [InlineData("OciWorkingDirectory=/srv")]
    [InlineData("OciFileOwner=1654")]
    [InlineData("OciForce=true")]
    public async Task Changed_setting_publishes_again(string change)
    {
        string project = WriteProject("UpToDateSetting" + new string(change.Where(char.IsLetterOrDigit).ToArray()));
        string[] properties = _bed.RegistryProperties("up-to-date/setting");

        var first = await PublishAsync(project, properties);
        var second = await PublishAsync(project, [.. properties, change]);

        Assert.Contains(PushedMessage, first.StandardOutput);
        Assert.DoesNotContain(UpToDateMessage, second.StandardOutput);
        Assert.Contains(PushedMessage, second.StandardOutput);
    }

    [Fact]
    public async Task Destination_change_publishes_to_new_place()
    {
        string project = WriteProject("UpToDateDestination");
        string store = _bed.NewDirectory("up-to-date-store");

        var first = await PublishAsync(project, _bed.RegistryProperties("up-to-date/destination"));
        var second = await PublishAsync(project, ["OciTlsVerify=false", $"OciBaseImage={_bed.BaseImage}", "OciRepository=up-to-date/destination", $"OciLocalStore={store}"]);
        var images = await _bed.OcibuildAsync(store, "images");

        Assert.Contains(PushedMessage, first.StandardOutput);
        Assert.DoesNotContain(UpToDateMessage, second.StandardOutput);
        Assert.Contains("Stored image", second.StandardOutput);
        Assert.Contains("up-to-date/destination", images.StandardOutput);
    }

    [Fact]
    public async Task Changed_files_publish_again()
    {
        string project = WriteProject("UpToDateFiles");
        string[] properties = _bed.RegistryProperties("up-to-date/files");
        string reference = $"{_bed.Registry.Address}/up-to-date/files:latest";

        var first = await PublishAsync(project, properties);
        string firstDigest = await Skopeo.DigestAsync(reference);
        File.AppendAllText(Path.Combine(project, "Program.cs"), "Console.WriteLine(\"changed\");\n");
        var afterSourceChange = await PublishAsync(project, properties);
        string secondDigest = await Skopeo.DigestAsync(reference);

        // A file that no MSBuild item lists still goes into the image, so it counts as an input too.
        File.WriteAllText(Path.Combine(project, "bin", "Release", "net10.0", "publish", "extra.txt"), "extra\n");
        var afterExtraFile = await PublishAsync(project, properties);
        var unchanged = await PublishAsync(project, properties);

        Assert.Contains(PushedMessage, first.StandardOutput);
        Assert.Contains(PushedMessage, afterSourceChange.StandardOutput);
        Assert.NotEqual(firstDigest, secondDigest);
        Assert.Contains(PushedMessage, afterExtraFile.StandardOutput);
        Assert.DoesNotContain(UpToDateMessage, afterExtraFile.StandardOutput);
        Assert.Contains(UpToDateMessage, unchanged.StandardOutput);
    }

    [Fact]
    public async Task Missing_digest_file_publishes_again()
    {
        string project = WriteProject("UpToDateDigestFile");
        string digestFile = Path.Combine(_bed.NewDirectory("up-to-date-digest-file"), "image.digest");
        string[] properties = [.. _bed.RegistryProperties("up-to-date/digest-file"), $"OciDigestFile={digestFile}"];

        await PublishAsync(project, properties);
        File.Delete(digestFile);
        var second = await PublishAsync(project, properties);

        Assert.Contains(PushedMessage, second.StandardOutput);
        Assert.Equal(await Skopeo.DigestAsync($"{_bed.Registry.Address}/up-to-date/digest-file:latest"), File.ReadAllText(digestFile));
    }

    [Fact]
    public async Task Invalid_force_value_fails()
    {
        string project = WriteProject("UpToDateForce");

        var publish = await _bed.PublishProjectAsync(project, [.. _bed.RegistryProperties("up-to-date/force"), "OciForce=maybe"]);

        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("error OCIB7130", publish.StandardOutput);
        Assert.Contains("OciForce=maybe is invalid", publish.StandardOutput);
    }


    // A target after PublishOciImage prints its outputs, so that a test can compare them across publishes.
    private string WriteProject(string name) => _bed.WriteProject(name, """
          <Target Name="PrintOciOutputs" AfterTargets="PublishOciImage">
            <Message Importance="high" Text="outputs: digest=$(GeneratedOciManifestDigest) type=$(GeneratedOciManifestMediaType) images=@(GeneratedOciImage->'%(Identity)@%(ManifestDigest)') end" />
          </Target>
        """);

    private async Task<ProcessResult> PublishAsync(string project, string[] properties)
    {
        var result = await _bed.PublishProjectAsync(project, properties, verbosity: "normal");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private static string Outputs(ProcessResult result) => OutputsLine().Match(result.StandardOutput).Groups[1].Value;

    [GeneratedRegex("outputs: (.*) end")]
    private static partial Regex OutputsLine();
}
