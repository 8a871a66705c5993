using System.Text;
using System.Text.Json.Nodes;
using static OciBuild.Core.Tests.TestDocuments;

namespace OciBuild.Core.Tests;

public class ImageConfigTests
{
    private static ImageConfig ReadDockerConfig() => OciJson.Deserialize<ImageConfig>(Bytes(DockerConfig), "config");

    private static JsonNode RoundTrip(string json)
    {
        var config = OciJson.Deserialize<ImageConfig>(Bytes(json), "config");
        return Node(OciJson.Serialize(config));
    }

    [Fact]
    public void Config_reads_known_fields()
    {
        var config = ReadDockerConfig();

        Assert.Equal("amd64", config.Architecture);
        Assert.Equal("linux", config.Os);
        Assert.Equal("app", config.Config?.User);
        Assert.Equal("/app", config.Config?.WorkingDir);
        Assert.Equal(["dotnet", "App.dll"], config.Config?.Entrypoint ?? []);
        Assert.Equal(["8080/tcp"], config.Config?.ExposedPorts?.Keys.ToArray() ?? []);
        Assert.Equal("Zoë <zoe@example.com>", config.Config?.Labels?["maintainer"]);
        Assert.Equal([Layer1Digest, Layer2Digest], config.RootFs.DiffIds.Select(d => d.ToString()));
        Assert.Equal(2, config.History?.Count);
        Assert.True(config.History?[1].EmptyLayer);
    }

    [Fact]
    public void Config_reads_nanosecond_timestamps()
    {
        var config = ReadDockerConfig();

        Assert.Equal(new DateTimeOffset(2024, 2, 13, 9, 41, 12, TimeSpan.Zero).AddTicks(1234567), config.Created);
        Assert.Equal(new DateTimeOffset(2024, 1, 27, 0, 30, 48, TimeSpan.Zero).AddTicks(6246021), config.History?[0].Created);
    }

    [Fact]
    public void Config_reads_null_lists_as_null()
    {
        var config = ReadDockerConfig();

        Assert.Null(config.Config?.Cmd);
        Assert.Null(config.Config?.Volumes);
    }

    [Theory]
    [InlineData("container")]
    [InlineData("container_config")]
    [InlineData("docker_version")]
    public void Config_round_trip_keeps_unknown_fields(string name)
    {
        var written = RoundTrip(DockerConfig);

        Assert.True(JsonNode.DeepEquals(Node(DockerConfig)[name], written[name]), written.ToJsonString());
    }

    [Theory]
    [InlineData("Healthcheck")]
    [InlineData("Hostname")]
    [InlineData("Domainname")]
    [InlineData("AttachStdin")]
    [InlineData("Tty")]
    [InlineData("Image")]
    public void Config_round_trip_keeps_unknown_container_fields(string name)
    {
        var written = RoundTrip(DockerConfig);

        Assert.True(JsonNode.DeepEquals(Node(DockerConfig)["config"]![name], written["config"]![name]), written.ToJsonString());
    }

    [Fact]
    public void Config_round_trip_keeps_unknown_history_field()
    {
        var written = RoundTrip(DockerConfig);

        Assert.Equal(7, (int?)written["history"]![1]!["io.example.step"]);
    }

    [Fact]
    public void Config_round_trip_keeps_unknown_rootfs_field()
    {
        var written = RoundTrip(DockerConfig);

        Assert.Equal("none", (string?)written["rootfs"]!["io.example.base_layer"]);
    }

    [Fact]
    public void Config_exposes_healthcheck_as_extension_data()
    {
        var config = ReadDockerConfig();

        var healthcheck = config.Config?.ExtensionData?["Healthcheck"];

        Assert.Equal(3, healthcheck?.GetProperty("Retries").GetInt32());
    }

    [Fact]
    public void Config_round_trip_keeps_timestamps_as_same_instant()
    {
        var written = RoundTrip(DockerConfig);

        Assert.Equal(ReadDockerConfig().Created, DateTimeOffset.Parse((string)written["created"]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Config_json_omits_derived_platform()
    {
        var written = Node(OciJson.Serialize(new ImageConfig { Architecture = "arm64", Variant = "v8" }));

        Assert.False(written.AsObject().ContainsKey("Platform"), written.ToJsonString());
    }

    [Fact]
    public void Config_round_trip_omits_null_lists()
    {
        var written = RoundTrip(DockerConfig);

        Assert.False(written["config"]!.AsObject().ContainsKey("Cmd"));
        Assert.False(written["config"]!.AsObject().ContainsKey("Volumes"));
    }

    [Fact]
    public void Config_with_empty_container_config_round_trips()
    {
        const string json = """{"architecture":"arm64","os":"linux","variant":"v8","config":{},"rootfs":{"type":"layers","diff_ids":[]}}""";
        var config = OciJson.Deserialize<ImageConfig>(Bytes(json), "config");

        string written = Encoding.UTF8.GetString(OciJson.Serialize(config));

        Assert.NotNull(config.Config);
        Assert.Null(config.Config.Env);
        Assert.Equal("linux/arm64/v8", config.Platform.ToString());
        Assert.Equal(json, written);
    }

    [Fact]
    public void Config_with_null_diff_ids_reads_as_empty()
    {
        // Go's encoding/json writes a nil slice as null, which an image without layers may carry.
        const string json = """{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":null},"history":null}""";

        var config = OciJson.Deserialize<ImageConfig>(Bytes(json), "config");

        Assert.NotNull(config.RootFs.DiffIds);
        Assert.Empty(config.RootFs.DiffIds);
        Assert.Null(config.History);
    }

    [Fact]
    public void Config_with_null_rootfs_reads_as_empty()
    {
        const string json = """{"architecture":"amd64","os":"linux","rootfs":null}""";

        var config = OciJson.Deserialize<ImageConfig>(Bytes(json), "config");

        Assert.NotNull(config.RootFs);
        Assert.Empty(config.RootFs.DiffIds);
    }

    [Fact]
    public void SetEnvironmentVariable_replaces_in_place()
    {
        var container = new ContainerConfig { Env = ["PATH=/bin", "ASPNETCORE_HTTP_PORTS=8080", "LANG=C"] };

        container.SetEnvironmentVariable("ASPNETCORE_HTTP_PORTS", "5000");

        Assert.Equal(["PATH=/bin", "ASPNETCORE_HTTP_PORTS=5000", "LANG=C"], container.Env);
    }

    [Fact]
    public void SetEnvironmentVariable_appends_new_name()
    {
        var container = new ContainerConfig { Env = ["PATH=/bin"] };

        container.SetEnvironmentVariable("APP_MODE", "a=b");

        Assert.Equal(["PATH=/bin", "APP_MODE=a=b"], container.Env);
    }

    [Fact]
    public void SetEnvironmentVariable_creates_list_when_null()
    {
        var container = new ContainerConfig();

        container.SetEnvironmentVariable("A", "1");

        Assert.Equal(["A=1"], container.Env);
    }

    [Fact]
    public void SetEnvironmentVariable_does_not_match_name_prefix()
    {
        var container = new ContainerConfig { Env = ["PATHEXT=.exe"] };

        container.SetEnvironmentVariable("PATH", "/bin");

        Assert.Equal(["PATHEXT=.exe", "PATH=/bin"], container.Env);
    }

    [Fact]
    public void SetEnvironmentVariable_replaces_entry_without_value()
    {
        var container = new ContainerConfig { Env = ["DEBUG", "LANG=C"] };

        container.SetEnvironmentVariable("DEBUG", "1");

        Assert.Equal(["DEBUG=1", "LANG=C"], container.Env);
    }

    [Fact]
    public void SetEnvironmentVariable_removes_later_duplicates()
    {
        var container = new ContainerConfig { Env = ["PATH=/a", "LANG=C", "PATH=/b"] };

        container.SetEnvironmentVariable("PATH", "/c");

        Assert.Equal(["PATH=/c", "LANG=C"], container.Env);
    }

    [Fact]
    public void SetEnvironmentVariable_value_wins_over_duplicates()
    {
        var container = new ContainerConfig { Env = ["PATH=/a", "PATH=/b"] };

        container.SetEnvironmentVariable("PATH", "/c");

        Assert.Equal("/c", container.GetEnvironmentVariable("PATH"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("A=B")]
    public void SetEnvironmentVariable_rejects_invalid_name(string name)
    {
        var container = new ContainerConfig();

        Assert.Throws<ArgumentException>(() => container.SetEnvironmentVariable(name, "1"));
    }

    [Fact]
    public void GetEnvironmentVariable_reads_last_entry()
    {
        var container = new ContainerConfig { Env = ["PATH=/a", "LANG=C", "PATH=/b"] };

        Assert.Equal("/b", container.GetEnvironmentVariable("PATH"));
    }

    [Theory]
    [InlineData("LANG", "C.UTF-8")]
    [InlineData("EMPTY", "")]
    [InlineData("EQUALS", "x=y")]
    [InlineData("PATH", null)]
    [InlineData("BARE", null)]
    [InlineData("LAN", null)]
    public void GetEnvironmentVariable_reads_value(string name, string? expected)
    {
        var container = new ContainerConfig { Env = ["LANG=C.UTF-8", "EMPTY=", "EQUALS=x=y", "BARE"] };

        Assert.Equal(expected, container.GetEnvironmentVariable(name));
    }

    [Fact]
    public void GetEnvironmentVariable_returns_null_without_env()
    {
        Assert.Null(new ContainerConfig().GetEnvironmentVariable("PATH"));
    }
}
