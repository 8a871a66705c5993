using System.CommandLine;
using OciBuild.Cli.Runtime;
using OciBuild.Core.Errors;
using OciBuild.Storage;

namespace OciBuild.Cli.Commands;

/// <summary>
/// <c>ocibuild run CONTAINER [-- COMMAND...]</c>: runs the image's command (or the given one) in a
/// working container under runc, passing through its output and exit code.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var container = new Argument<string>("container") { Description = "The working container, by name or ID" };
        var commandArgs = new Argument<string[]>("command") { Description = "The command to run instead of the image's Entrypoint and Cmd", Arity = ArgumentArity.ZeroOrMore };
        var env = new Option<string[]>("--env", "-e") { Description = "Set NAME=VALUE in the container's environment (repeatable)", AllowMultipleArgumentsPerToken = false };
        var workingDirectory = new Option<string?>("--workingdir") { Description = "The working directory inside the container" };
        var user = new Option<string?>("--user") { Description = "USER[:GROUP] to run as, by name or number" };
        var network = new Option<NetworkMode>("--network")
        {
            Description = "private (a new network namespace with loopback only), host, or none",
            DefaultValueFactory = _ => NetworkMode.Private,
            HelpName = "private|host|none",
        };
        // Name the accepted values in the error, not the enum type behind them.
        network.AcceptOnlyFromAmong("private", "host", "none");
        var hostname = new Option<string?>("--hostname") { Description = "The container's host name (default: the container's name)" };
        var volumes = new Option<string[]>("--volume", "-v") { Description = "Bind-mount HOST:CONTAINER[:ro] (repeatable)" };
        var command = new Command("run", "Run a command in a working container under runc and exit with its exit code")
        {
            container, commandArgs, env, workingDirectory, user, network, hostname, volumes,
        };

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(
            async () =>
            {
                using var session = CliSession.Create(parseResult);
                var record = session.Store.FindContainer(parseResult.GetValue(container)!);
                var config = await WorkingContainers.ReadConfigAsync(session.Store, record, cancellationToken);
                string[] args = parseResult.GetValue(commandArgs) ?? [];
                var options = new RunOptions
                {
                    Args = args.Length > 0 ? args : null,
                    Env = parseResult.GetValue(env) ?? [],
                    WorkingDirectory = parseResult.GetValue(workingDirectory),
                    User = parseResult.GetValue(user),
                    Hostname = parseResult.GetValue(hostname),
                    Network = parseResult.GetValue(network),
                    Mounts = (parseResult.GetValue(volumes) ?? []).Select(ParseVolume).ToList(),
                };

                Action<string>? debugLog = session.Debug ? line => Console.Error.WriteLine("debug: " + line) : null;
                var runner = new ContainerRunner();
                using var rootfs = ContainerRootfs.Use(session.Store, record);
                return await runner.RunAsync(rootfs.Path, config, options, record.Name, debugLog, cancellationToken);
            },
            ExitCodes.RunFailure));
        return command;
    }

    internal static BindMount ParseVolume(string text)
    {
        string[] parts = text.Split(':');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || !parts[1].StartsWith('/') || (parts.Length == 3 && parts[2] is not ("ro" or "rw")))
        {
            throw new OciException(ErrorCodes.InvalidArgument, $"invalid volume \"{text}\": expected HOST_PATH:CONTAINER_PATH[:ro|rw] with an absolute container path");
        }

        string source = Path.GetFullPath(parts[0]);
        if (!Path.Exists(source))
        {
            throw new OciException(ErrorCodes.InvalidArgument, $"volume source {source} does not exist");
        }

        return new BindMount(source, parts[1], parts.Length == 3 && parts[2] == "ro");
    }
}
