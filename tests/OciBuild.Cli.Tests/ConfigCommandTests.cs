using OciBuild.Cli.Commands;
using OciBuild.Core.Errors;

namespace OciBuild.Cli.Tests;

/// <summary>How <c>ocibuild config</c> reads --entrypoint and --cmd values.</summary>
public sealed class ConfigCommandTests
{
    [Fact]
    public void Json_array_is_taken_as_is()
    {
        Assert.Equal(["/app/server", "--port", "80"], ConfigCommand.ParseCommand("[\"/app/server\",\"--port\",\"80\"]", "--entrypoint", shellForm: true));
    }

    [Fact]
    public void Entrypoint_text_runs_in_shell()
    {
        Assert.Equal(["/bin/sh", "-c", "echo a && echo b"], ConfigCommand.ParseCommand("echo a && echo b", "--entrypoint", shellForm: true));
    }

    [Fact]
    public void Cmd_text_splits_at_spaces()
    {
        Assert.Equal(["cat", "/srv/version.txt"], ConfigCommand.ParseCommand("cat  /srv/version.txt", "--cmd", shellForm: false));
    }

    [Fact]
    public void Empty_text_clears_value()
    {
        Assert.Null(ConfigCommand.ParseCommand("", "--cmd", shellForm: false));
    }

    [Fact]
    public void Broken_json_array_is_rejected()
    {
        var error = Assert.Throws<OciException>(() => ConfigCommand.ParseCommand("[\"unterminated", "--cmd", shellForm: false));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains("--cmd", error.Message);
    }
}
