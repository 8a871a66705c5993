using OciBuild.Core.Errors;
using OciBuild.Tasks;

namespace OciBuild.Tasks.Tests;

/// <summary>How OciEntrypoint/OciCmd and the SDK's app command items become Entrypoint and Cmd.</summary>
public sealed class StartCommandTests
{
    private static readonly string[] AppHost = ["/app/App"];

    [Fact]
    public void Default_is_app_command_as_entrypoint()
    {
        var (entrypoint, cmd) = new StartCommand().Resolve(AppHost);

        Assert.Equal(AppHost, entrypoint);
        Assert.Null(cmd);
    }

    [Fact]
    public void Plain_entrypoint_and_cmd_are_copied()
    {
        var command = new StartCommand { Entrypoint = ["/bin/sh", "-c"], Cmd = ["echo hi"] };

        var (entrypoint, cmd) = command.Resolve(AppHost);

        Assert.Equal(["/bin/sh", "-c"], entrypoint);
        Assert.Equal(["echo hi"], cmd);
    }

    [Fact]
    public void Cmd_alone_keeps_default_entrypoint()
    {
        var (entrypoint, cmd) = new StartCommand { Cmd = ["--verbose"] }.Resolve(AppHost);

        Assert.Equal(AppHost, entrypoint);
        Assert.Equal(["--verbose"], cmd);
    }

    [Fact]
    public void App_command_args_follow_app_command()
    {
        var command = new StartCommand { AppCommand = ["dotnet", "/app/App.dll"], AppCommandArgs = ["--urls", "http://+:8080"], DefaultArgs = ["--verbose"] };

        var (entrypoint, cmd) = command.Resolve(AppHost);

        Assert.Equal(["dotnet", "/app/App.dll", "--urls", "http://+:8080"], entrypoint);
        Assert.Equal(["--verbose"], cmd);
    }

    [Fact]
    public void Default_args_instruction_moves_all_to_cmd()
    {
        var command = new StartCommand { AppCommandArgs = ["serve"], DefaultArgs = ["--port", "80"], Instruction = "defaultargs" };

        var (entrypoint, cmd) = command.Resolve(AppHost);

        Assert.Null(entrypoint);
        Assert.Equal(["/app/App", "serve", "--port", "80"], cmd);
    }

    [Fact]
    public void None_instruction_keeps_base_command()
    {
        var (entrypoint, cmd) = new StartCommand { Instruction = "None" }.Resolve(AppHost);

        Assert.Null(entrypoint);
        Assert.Null(cmd);
    }

    [Fact]
    public void No_app_found_leaves_entrypoint_to_base()
    {
        var (entrypoint, cmd) = new StartCommand { DefaultArgs = ["x"] }.Resolve(null);

        Assert.Null(entrypoint);
        Assert.Equal(["x"], cmd);
    }

    [Fact]
    public void Entrypoint_with_app_command_is_rejected()
    {
        var command = new StartCommand { Entrypoint = ["/app/App"], AppCommandArgs = ["x"] };

        var error = Assert.Throws<OciException>(() => command.Validate());

        Assert.Equal(ErrorCodes.ConflictingStartCommand, error.Code);
        Assert.Contains("OciEntrypoint", error.Message);
    }

    [Fact]
    public void Cmd_with_default_args_is_rejected()
    {
        var command = new StartCommand { Cmd = ["a"], DefaultArgs = ["b"] };

        var error = Assert.Throws<OciException>(() => command.Validate());

        Assert.Equal(ErrorCodes.ConflictingStartCommand, error.Code);
        Assert.Contains("OciDefaultArgs", error.Message);
    }

    [Fact]
    public void Unknown_instruction_is_rejected()
    {
        var error = Assert.Throws<OciException>(() => new StartCommand { Instruction = "Cmd" }.Validate());

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains("OciAppCommandInstruction=\"Cmd\"", error.Message);
    }

    [Fact]
    public void None_instruction_with_app_command_is_rejected()
    {
        var error = Assert.Throws<OciException>(() => new StartCommand { Instruction = "None", AppCommand = ["/app/App"] }.Validate());

        Assert.Equal(ErrorCodes.ConflictingStartCommand, error.Code);
    }
}
