namespace OciBuild.IntegrationTests;

/// <summary>Each Oci* property and item of docs/properties.md, published and read back with skopeo.</summary>
[Collection(TestBedCollection.Name)]
public sealed class PropertyTests
{
    private readonly TestBed _bed;

    public PropertyTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Config_items_reach_image()
    {
        string project = _bed.WriteProject("ConfigItems", """
              <PropertyGroup>
                <OciWorkingDirectory>/srv/app</OciWorkingDirectory>
                <OciUser>1000:1000</OciUser>
              </PropertyGroup>
              <ItemGroup>
                <OciPort Include="8080" Type="tcp" />
                <OciPort Include="5353" Type="udp" />
                <OciEnvironmentVariable Include="GREETING" Value="a:b;c" />
                <OciLabel Include="com.example.team" Value="platform" />
                <OciAnnotation Include="com.example.build" Value="nightly" />
                <OciAppCommandArgs Include="--name" />
                <OciDefaultArgs Include="--count;3" />
              </ItemGroup>
            """);

        string reference = await PublishAsync(project, "config-items");
        var config = await Skopeo.ConfigAsync(reference);
        var manifest = await Skopeo.ManifestAsync(reference);
        var container = config.GetProperty("config");

        Assert.Equal("/srv/app", container.GetProperty("WorkingDir").GetString());
        Assert.Equal("1000:1000", container.GetProperty("User").GetString());
        Assert.Equal(["5353/udp", "8080/tcp"], container.GetProperty("ExposedPorts").EnumerateObject().Select(p => p.Name).Order());
        Assert.Contains("GREETING=a:b;c", Skopeo.Strings(container.GetProperty("Env")));
        Assert.Equal("platform", Skopeo.Labels(config)["com.example.team"]);
        Assert.Equal("nightly", manifest.GetProperty("annotations").GetProperty("com.example.build").GetString());
        Assert.Equal(["/srv/app/ConfigItems", "--name"], Skopeo.Strings(container.GetProperty("Entrypoint")));
        Assert.Equal(["--count", "3"], Skopeo.Strings(container.GetProperty("Cmd")));
    }

    [Fact]
    public async Task Plain_entrypoint_and_cmd_are_used()
    {
        string reference = await PublishAsync(_bed.SampleDirectory, "plain-start", "OciEntrypoint=\"/bin/sh;-c\"", "OciCmd=echo hi");
        var container = (await Skopeo.ConfigAsync(reference)).GetProperty("config");

        Assert.Equal(["/bin/sh", "-c"], Skopeo.Strings(container.GetProperty("Entrypoint")));
        Assert.Equal(["echo hi"], Skopeo.Strings(container.GetProperty("Cmd")));
    }

    [Fact]
    public async Task Generated_labels_come_from_project()
    {
        string project = _bed.WriteProject("Labelled", """
              <PropertyGroup>
                <Version>2.3.4</Version>
                <Title>Labelled app</Title>
                <Description>Shows the generated labels</Description>
                <Authors>Team A</Authors>
                <RepositoryUrl>https://git.example.test/team/labelled.git</RepositoryUrl>
                <SourceRevisionId>0123456789abcdef</SourceRevisionId>
              </PropertyGroup>
              <ItemGroup>
                <OciLabel Include="org.opencontainers.image.authors" Value="Team B" />
              </ItemGroup>
            """);

        string reference = await PublishAsync(project, "labelled");
        var labels = Skopeo.Labels(await Skopeo.ConfigAsync(reference));
        var baseManifest = await Skopeo.DigestAsync(_bed.BaseImage);

        Assert.Equal("2023-11-14T22:13:20Z", labels["org.opencontainers.image.created"]);
        Assert.Equal("2.3.4", labels["org.opencontainers.image.version"]);
        Assert.Equal("Labelled app", labels["org.opencontainers.image.title"]);
        Assert.Equal("Shows the generated labels", labels["org.opencontainers.image.description"]);
        Assert.Equal("Team B", labels["org.opencontainers.image.authors"]);
        Assert.Equal("https://git.example.test/team/labelled", labels["org.opencontainers.image.source"]);
        Assert.Equal("0123456789abcdef", labels["org.opencontainers.image.revision"]);
        Assert.Equal(_bed.BaseImage, labels["org.opencontainers.image.base.name"]);
        Assert.Equal(baseManifest, labels["org.opencontainers.image.base.digest"]);
    }

    [Fact]
    public async Task Label_switches_turn_labels_off()
    {
        string oneOff = await PublishAsync(_bed.SampleDirectory, "labels-one-off", "OciGenerateLabelsImageBaseDigest=false", "OciGenerateLabelsImageCreated=false");
        string allOff = await PublishAsync(_bed.SampleDirectory, "labels-all-off", "OciGenerateLabels=false");

        var some = Skopeo.Labels(await Skopeo.ConfigAsync(oneOff));
        var none = Skopeo.Labels(await Skopeo.ConfigAsync(allOff));

        Assert.Contains("org.opencontainers.image.base.name", some.Keys);
        Assert.Contains("org.opencontainers.image.version", some.Keys);
        Assert.DoesNotContain("org.opencontainers.image.base.digest", some.Keys);
        Assert.DoesNotContain("org.opencontainers.image.created", some.Keys);

        // HelloEcho's own OciLabel item is the only label left.
        Assert.Equal(["org.opencontainers.image.description"], none.Keys);
    }

    [Fact]
    public async Task Tags_accept_commas_and_semicolons()
    {
        // MSBuild's -p switch splits at commas itself, so a comma list comes in through the
        // environment, where every variable is a property too and needs no quoting.
        var environment = TestBed.EpochEnvironment();
        environment["OciTags"] = "1.0,1";
        var fromEnvironment = await _bed.PublishAsync([.. _bed.RegistryProperties("tags")], environment);
        var fromSwitch = await _bed.PublishAsync([.. _bed.RegistryProperties("tags"), "OciTags=\"2.0;latest\""], TestBed.EpochEnvironment());
        Assert.True(fromEnvironment.ExitCode == 0, fromEnvironment.ToString());
        Assert.True(fromSwitch.ExitCode == 0, fromSwitch.ToString());

        string[] digests = await Task.WhenAll(new[] { "1.0", "1", "2.0", "latest" }.Select(tag => Skopeo.DigestAsync($"{_bed.Registry.Address}/tags:{tag}")));

        Assert.Single(digests.Distinct());
    }

    [Fact]
    public async Task Digest_file_gets_manifest_digest()
    {
        string digestFile = Path.Combine(_bed.NewDirectory("digest"), "out", "image.digest");

        string reference = await PublishAsync(_bed.SampleDirectory, "digest-file", $"OciDigestFile={digestFile}");

        Assert.Equal(await Skopeo.DigestAsync(reference), File.ReadAllText(digestFile));
    }

    [Fact]
    public async Task Creds_reach_destination_only()
    {
        const string password = "pw-2c8d41";
        await using var registry = await TestRegistry.StartAsync(Path.Combine(_bed.NewDirectory("auth"), "registry"), "--auth", $"builder:{password}");
        string[] properties = [$"OciRegistry={registry.Address}", "OciTlsVerify=false", $"OciBaseImage={_bed.BaseImage}", "OciRepository=team/creds"];

        // Normal verbosity shows every line the task logs. From detailed verbosity on, MSBuild itself
        // prints the command line and task parameters, and with them any password passed as a property.
        var withCreds = await _bed.PublishAsync([.. properties, $"OciCreds=builder:{password}"], TestBed.EpochEnvironment(), verbosity: "normal");
        var withoutCreds = await _bed.PublishAsync(properties, TestBed.EpochEnvironment());
        var inspect = await ProcessRunner.RunAsync("skopeo", ["inspect", "--tls-verify=false", "--creds", $"builder:{password}", $"docker://{registry.Address}/team/creds:latest"]);

        Assert.True(withCreds.ExitCode == 0, withCreds.ToString());
        Assert.DoesNotContain(password, withCreds.StandardOutput + withCreds.StandardError);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.NotEqual(0, withoutCreds.ExitCode);
        Assert.Contains("error OCIB3003", withoutCreds.StandardOutput);
    }

    [Fact]
    public async Task Publish_profile_builds_image()
    {
        var publish = await _bed.PublishAsync([.. _bed.RegistryProperties("profile"), "PublishProfile=OciImage"], TestBed.EpochEnvironment(), target: "");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.StartsWith("sha256:", await Skopeo.DigestAsync($"{_bed.Registry.Address}/profile:latest"));
    }

    [Fact]
    public async Task Base_registry_replaces_mcr()
    {
        var publish = await _bed.PublishProjectAsync(_bed.SampleDirectory, [$"OciRegistry={_bed.Registry.Address}", "OciTlsVerify=false", $"OciBaseRegistry={_bed.Registry.Address}", "OciRepository=base-registry"], TestBed.EpochEnvironment());
        Assert.True(publish.ExitCode == 0, publish.ToString());

        var labels = Skopeo.Labels(await Skopeo.ConfigAsync($"{_bed.Registry.Address}/base-registry:latest"));

        Assert.Equal($"{_bed.Registry.Address}/dotnet/runtime:10.0", labels["org.opencontainers.image.base.name"]);
    }

    [Theory]
    [InlineData("OCIB7101", "OciArchiveOutputPath=/tmp/ocibuild-never-written.tar", "OciArchiveFormat=zip")]
    [InlineData("OCIB7110", "OciRuntimeIdentifiers=linux-x64%3Blinux-arm64", "OciArchiveOutputPath=/tmp/ocibuild-never-written.tar", "OciArchiveFormat=docker")]
    [InlineData("OCIB7104", "ContainerImageFormat=Docker")]
    [InlineData("OCIB1007", "OciAppCommandInstruction=Cmd")]
    [InlineData("OCIB1007", "OciTlsVerify=maybe")]
    [InlineData("OCIB1007", "OciChunkSize=5MB")]
    [InlineData("OCIB5011", "OciDigestFile=/proc/no-such-folder/digest.txt")]
    public async Task Invalid_settings_fail_with_code(string code, params string[] properties)
    {
        var publish = await _bed.PublishAsync([.. _bed.RegistryProperties("invalid"), .. properties], TestBed.EpochEnvironment());

        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains($"error {code}", publish.StandardOutput);
        // MSB4018 is MSBuild's report of a task that crashed, with a stack trace.
        Assert.DoesNotContain("MSB4018", publish.StandardOutput);
    }

    [Fact]
    public async Task Invalid_tag_is_named()
    {
        var publish = await _bed.PublishAsync([.. _bed.RegistryProperties("invalid-tag"), "OciTags=bad:tag"], TestBed.EpochEnvironment());

        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("error OCIB1001", publish.StandardOutput);
        Assert.Contains("OciTags contains the invalid tag \"bad:tag\"", publish.StandardOutput);
    }

    [Theory]
    [InlineData("OciArchiveOutputPath", "oci", "oci-archive")]
    [InlineData("OciArchiveOutputPath", "docker", "docker-archive")]
    [InlineData("ContainerArchiveOutputPath", "", "oci-archive")]
    public async Task Archive_output_holds_image(string property, string format, string transport)
    {
        string archive = Path.Combine(_bed.NewDirectory("archive"), "image.tar");
        string[] formatProperty = format.Length > 0 ? [$"OciArchiveFormat={format}"] : [];

        var publish = await _bed.PublishAsync([$"{property}={archive}", .. formatProperty, "OciTlsVerify=false", $"OciBaseImage={_bed.BaseImage}"], TestBed.EpochEnvironment());
        var inspect = await ProcessRunner.RunAsync("skopeo", ["inspect", $"{transport}:{archive}"]);

        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains("Wrote image archive", publish.StandardOutput);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Contains("HELLOECHO_NAME=helloecho", inspect.StandardOutput);
    }

    [Fact]
    public async Task Entrypoint_with_app_command_fails()
    {
        string project = _bed.WriteProject("ConflictingStart", """
              <ItemGroup>
                <OciAppCommandArgs Include="--verbose" />
              </ItemGroup>
            """);

        var publish = await _bed.PublishProjectAsync(project, [.. _bed.RegistryProperties("conflict"), "OciEntrypoint=/bin/sh"], TestBed.EpochEnvironment());

        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("error OCIB7103", publish.StandardOutput);
        Assert.Contains("OciEntrypoint", publish.StandardOutput);
    }

    private async Task<string> PublishAsync(string projectDirectory, string repository, params string[] properties)
    {
        var publish = await _bed.PublishProjectAsync(projectDirectory, [.. _bed.RegistryProperties(repository), .. properties], TestBed.EpochEnvironment());
        Assert.True(publish.ExitCode == 0, publish.ToString());
        return $"{_bed.Registry.Address}/{repository}:latest";
    }
}
