namespace OciBuild.IntegrationTests;

/// <summary>A project written for the .NET SDK's PublishContainer keeps its settings under OciBuild.</summary>
[Collection(TestBedCollection.Name)]
public sealed class SdkPropertyTests
{
    private readonly TestBed _bed;

    public SdkPropertyTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Container_properties_give_same_digest()
    {
        var environment = new Dictionary<string, string?> { ["SOURCE_DATE_EPOCH"] = "1700000000" };

        // One folder and one repository for both, so that the compiled files and the history
        // comment are the same and only the way of writing the settings differs.
        string project = _bed.WriteProject("Twins", $"""
              <PropertyGroup>
                <OciRegistry>{_bed.Registry.Address}</OciRegistry>
                <OciRepository>twins</OciRepository>
                <OciTags>oci</OciTags>
                <OciBaseImage>{_bed.BaseImage}</OciBaseImage>
                <OciWorkingDirectory>/srv</OciWorkingDirectory>
                <OciUser>1000</OciUser>
              </PropertyGroup>
              <ItemGroup>
                <OciPort Include="8080" Type="tcp" />
                <OciEnvironmentVariable Include="MODE" Value="twin" />
                <OciLabel Include="com.example.kind" Value="twin" />
                <OciAppCommand Include="dotnet;/srv/Twins.dll" />
                <OciAppCommandArgs Include="--flag" />
                <OciDefaultArgs Include="run" />
              </ItemGroup>
            """);
        var oci = await _bed.PublishProjectAsync(project, ["OciTlsVerify=false"], environment);
        Assert.True(oci.ExitCode == 0, oci.ToString());

        _bed.WriteProject("Twins", $"""
              <PropertyGroup>
                <ContainerRegistry>{_bed.Registry.Address}</ContainerRegistry>
                <ContainerRepository>twins</ContainerRepository>
                <ContainerImageTag>sdk</ContainerImageTag>
                <ContainerBaseImage>{_bed.BaseImage}</ContainerBaseImage>
                <ContainerWorkingDirectory>/srv/</ContainerWorkingDirectory>
                <ContainerUser>1000</ContainerUser>
              </PropertyGroup>
              <ItemGroup>
                <ContainerPort Include="8080" Type="tcp" />
                <ContainerEnvironmentVariable Include="MODE" Value="twin" />
                <ContainerLabel Include="com.example.kind" Value="twin" />
                <ContainerAppCommand Include="dotnet;/srv/Twins.dll" />
                <ContainerAppCommandArgs Include="--flag" />
                <ContainerDefaultArgs Include="run" />
              </ItemGroup>
            """);
        var sdk = await _bed.PublishProjectAsync(project, ["OciTlsVerify=false"], environment);
        Assert.True(sdk.ExitCode == 0, sdk.ToString());

        string ociDigest = await Skopeo.DigestAsync($"{_bed.Registry.Address}/twins:oci");
        string sdkDigest = await Skopeo.DigestAsync($"{_bed.Registry.Address}/twins:sdk");
        var container = (await Skopeo.ConfigAsync($"{_bed.Registry.Address}/twins:sdk")).GetProperty("config");

        Assert.Equal(ociDigest, sdkDigest);
        Assert.Equal(["dotnet", "/srv/Twins.dll", "--flag"], Skopeo.Strings(container.GetProperty("Entrypoint")));
        Assert.Equal("/srv", container.GetProperty("WorkingDir").GetString());
    }

    [Fact]
    public async Task Oci_property_wins_over_twin()
    {
        var publish = await _bed.PublishAsync(
            [$"OciRegistry={_bed.Registry.Address}", "OciTlsVerify=false", $"OciBaseImage={_bed.BaseImage}", "OciRepository=oci-wins", "ContainerRepository=sdk-loses"]);
        Assert.True(publish.ExitCode == 0, publish.ToString());

        Assert.StartsWith("sha256:", await Skopeo.DigestAsync($"{_bed.Registry.Address}/oci-wins:latest"));
        var missing = await ProcessRunner.RunAsync("skopeo", ["inspect", "--tls-verify=false", $"docker://{_bed.Registry.Address}/sdk-loses:latest"]);
        Assert.NotEqual(0, missing.ExitCode);
    }
}
