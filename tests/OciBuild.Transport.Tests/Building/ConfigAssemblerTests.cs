using System.Text.Json.Nodes;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Layers;
using OciBuild.Transport.Building;

namespace OciBuild.Transport.Tests.Building;

public class ConfigAssemblerTests
{
    private const string BaseDiffId = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    /// <summary>A base image config with the fields a build must keep, including Docker's Healthcheck, which the model keeps as extension data.</summary>
    private const string BaseConfigJson = $$"""
        {
          "created": "2024-01-01T00:00:00Z",
          "architecture": "amd64",
          "os": "linux",
          "config": {
            "User": "base-user",
            "ExposedPorts": { "80/tcp": {} },
            "Env": ["PATH=/usr/bin:/bin", "APP_UID=1654", "LANG=C"],
            "Entrypoint": ["/base/entrypoint"],
            "Cmd": ["--base-arg"],
            "Volumes": { "/data": {} },
            "WorkingDir": "/base",
            "Labels": { "vendor": "base", "version": "1" },
            "StopSignal": "SIGQUIT",
            "Healthcheck": { "Test": ["CMD", "/bin/healthy"], "Interval": 30000000000, "Retries": 3 }
          },
          "rootfs": { "type": "layers", "diff_ids": ["{{BaseDiffId}}"] },
          "history": [ { "created": "2024-01-01T00:00:00Z", "created_by": "base layer" } ]
        }
        """;

    private static readonly DateTimeOffset Created = new(2025, 2, 3, 4, 5, 6, TimeSpan.Zero);

    private static ImageConfig ReadBaseConfig() => OciJson.Deserialize<ImageConfig>(System.Text.Encoding.UTF8.GetBytes(BaseConfigJson), "base config");

    private static ImageConfig Assemble(ImageSettings settings, params NewLayer[] layers)
        => ConfigAssembler.Assemble(ReadBaseConfig(), settings with { Created = Created }, layers);

    private static ContainerConfig AssembleContainer(ImageSettings settings) => Assemble(settings).Config!;

    private static NewLayer Layer(char fill, string comment)
    {
        var diffId = Digest.Parse("sha256:" + new string(fill, 64));
        var digest = Digest.Compute(System.Text.Encoding.UTF8.GetBytes(comment));
        return new NewLayer(new BuiltLayer(diffId, digest, 100, MediaTypes.OciLayerGzip), "/unused/layer.tar.gz", comment);
    }

    private static JsonNode? Select(JsonNode root, string path)
    {
        JsonNode? node = root;
        foreach (string part in path.Split('.'))
        {
            node = node?[part];
        }

        return node;
    }

    [Theory]
    [InlineData("config.Healthcheck")]
    [InlineData("config.StopSignal")]
    [InlineData("config.Volumes")]
    [InlineData("config.Env")]
    [InlineData("config.Labels")]
    [InlineData("config.User")]
    [InlineData("config.WorkingDir")]
    [InlineData("config.Entrypoint")]
    [InlineData("config.Cmd")]
    [InlineData("config.ExposedPorts")]
    [InlineData("architecture")]
    [InlineData("os")]
    public void Assemble_keeps_base_field(string path)
    {
        var written = JsonNode.Parse(OciJson.Serialize(Assemble(new ImageSettings())))!;

        var expected = Select(JsonNode.Parse(BaseConfigJson)!, path);
        Assert.NotNull(expected);
        Assert.True(JsonNode.DeepEquals(expected, Select(written, path)), written.ToJsonString());
    }

    [Fact]
    public void Assemble_sets_created()
    {
        var config = Assemble(new ImageSettings());

        Assert.Equal(Created, config.Created);
    }

    [Fact]
    public void Env_override_replaces_in_place()
    {
        var settings = new ImageSettings { EnvironmentVariables = new Dictionary<string, string> { ["APP_UID"] = "2000" } };

        var container = AssembleContainer(settings);

        Assert.Equal(["PATH=/usr/bin:/bin", "APP_UID=2000", "LANG=C"], container.Env!);
    }

    [Fact]
    public void Env_new_variable_is_appended()
    {
        var settings = new ImageSettings { EnvironmentVariables = new Dictionary<string, string> { ["ASPNETCORE_URLS"] = "http://+:8080" } };

        var container = AssembleContainer(settings);

        Assert.Equal(["PATH=/usr/bin:/bin", "APP_UID=1654", "LANG=C", "ASPNETCORE_URLS=http://+:8080"], container.Env!);
    }

    [Fact]
    public void Labels_merge_with_base()
    {
        var settings = new ImageSettings { Labels = new Dictionary<string, string> { ["version"] = "2", ["team"] = "build" } };

        var labels = AssembleContainer(settings).Labels!;

        Assert.Equal("base", labels["vendor"]);
        Assert.Equal("2", labels["version"]);
        Assert.Equal("build", labels["team"]);
        Assert.Equal(3, labels.Count);
    }

    [Fact]
    public void Labels_added_to_config_without_labels()
    {
        var settings = new ImageSettings { Labels = new Dictionary<string, string> { ["team"] = "build" } };

        var config = ConfigAssembler.Assemble(new ImageConfig(), settings, []);

        Assert.Equal(new Dictionary<string, string> { ["team"] = "build" }, config.Config!.Labels);
    }

    [Theory]
    [InlineData("8080", "8080/tcp")]
    [InlineData("53/udp", "53/udp")]
    [InlineData("8080/TCP", "8080/tcp")]
    [InlineData(" 443 ", "443/tcp")]
    [InlineData("132/sctp", "132/sctp")]
    [InlineData("1", "1/tcp")]
    [InlineData("65535", "65535/tcp")]
    public void NormalizePort_accepts(string port, string expected)
    {
        Assert.Equal(expected, ConfigAssembler.NormalizePort(port));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("70000")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("80/xyz")]
    [InlineData("80/")]
    [InlineData("80/tcp/udp")]
    [InlineData("")]
    public void NormalizePort_rejects(string port)
    {
        var error = Assert.Throws<OciException>(() => ConfigAssembler.NormalizePort(port));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains($"\"{port}\"", error.Message);
    }

    [Fact]
    public void Ports_are_added_normalized()
    {
        var settings = new ImageSettings { ExposedPorts = ["8080", "53/udp"] };

        var ports = AssembleContainer(settings).ExposedPorts!;

        Assert.Equal(["53/udp", "80/tcp", "8080/tcp"], ports.Keys.Order());
    }

    [Fact]
    public void Invalid_port_fails_assembly()
    {
        var settings = new ImageSettings { ExposedPorts = ["8080", "80/xyz"] };

        var error = Assert.Throws<OciException>(() => Assemble(settings));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
    }

    [Fact]
    public void Entrypoint_clears_base_cmd()
    {
        var container = AssembleContainer(new ImageSettings { Entrypoint = ["dotnet", "App.dll"] });

        Assert.Equal(["dotnet", "App.dll"], container.Entrypoint!);
        Assert.Null(container.Cmd);
    }

    [Fact]
    public void Entrypoint_with_cmd_sets_both()
    {
        var container = AssembleContainer(new ImageSettings { Entrypoint = ["dotnet", "App.dll"], Cmd = ["--urls", "http://+:8080"] });

        Assert.Equal(["dotnet", "App.dll"], container.Entrypoint!);
        Assert.Equal(["--urls", "http://+:8080"], container.Cmd!);
    }

    [Fact]
    public void Cmd_alone_keeps_entrypoint()
    {
        var container = AssembleContainer(new ImageSettings { Cmd = ["--verbose"] });

        Assert.Equal(["/base/entrypoint"], container.Entrypoint!);
        Assert.Equal(["--verbose"], container.Cmd!);
    }

    [Fact]
    public void AppUid_becomes_default_user()
    {
        var container = AssembleContainer(new ImageSettings { UseAppUidAsDefaultUser = true });

        Assert.Equal("1654", container.User);
    }

    [Fact]
    public void Explicit_user_wins_over_AppUid()
    {
        var container = AssembleContainer(new ImageSettings { UseAppUidAsDefaultUser = true, User = "root" });

        Assert.Equal("root", container.User);
    }

    [Fact]
    public void AppUid_unused_without_option()
    {
        var container = AssembleContainer(new ImageSettings());

        Assert.Equal("base-user", container.User);
    }

    [Fact]
    public void AppUid_option_without_AppUid_keeps_user()
    {
        var baseConfig = ReadBaseConfig();
        baseConfig.Config!.Env = ["PATH=/usr/bin"];

        var config = ConfigAssembler.Assemble(baseConfig, new ImageSettings { UseAppUidAsDefaultUser = true }, []);

        Assert.Equal("base-user", config.Config!.User);
    }

    [Fact]
    public void Working_directory_overrides_base()
    {
        var container = AssembleContainer(new ImageSettings { WorkingDirectory = "/app" });

        Assert.Equal("/app", container.WorkingDir);
    }

    [Fact]
    public void New_layers_append_diff_ids()
    {
        var first = Layer('a', "first layer");
        var second = Layer('b', "second layer");

        var config = Assemble(new ImageSettings(), first, second);

        Assert.Equal([Digest.Parse(BaseDiffId), first.Layer.DiffId, second.Layer.DiffId], config.RootFs.DiffIds);
    }

    [Fact]
    public void New_layers_append_history()
    {
        var settings = new ImageSettings { CreatedBy = "ocibuild 9.9" };

        var history = Assemble(settings, Layer('a', "first layer"), Layer('b', "second layer")).History!;

        Assert.Equal(3, history.Count);
        Assert.Equal("base layer", history[0].CreatedBy);
        Assert.Equal(["first layer", "second layer"], history.Skip(1).Select(h => h.Comment));
        Assert.All(history.Skip(1), h => Assert.Equal("ocibuild 9.9", h.CreatedBy));
        Assert.All(history.Skip(1), h => Assert.Equal(Created, h.Created));
        Assert.All(history.Skip(1), h => Assert.Null(h.EmptyLayer));
    }

    [Fact]
    public void Assemble_leaves_base_config_unchanged()
    {
        var baseConfig = ReadBaseConfig();
        byte[] before = OciJson.Serialize(baseConfig);
        var settings = new ImageSettings
        {
            Entrypoint = ["dotnet", "App.dll"],
            User = "app",
            WorkingDirectory = "/app",
            UseAppUidAsDefaultUser = true,
            EnvironmentVariables = new Dictionary<string, string> { ["LANG"] = "C.UTF-8", ["NEW"] = "1" },
            Labels = new Dictionary<string, string> { ["vendor"] = "app" },
            ExposedPorts = ["8080"],
        };

        ConfigAssembler.Assemble(baseConfig, settings, [Layer('a', "layer")]);

        Assert.Equal(System.Text.Encoding.UTF8.GetString(before), System.Text.Encoding.UTF8.GetString(OciJson.Serialize(baseConfig)));
    }
}
