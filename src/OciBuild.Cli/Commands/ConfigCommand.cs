using System.CommandLine;
using System.Text.Json;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Transport.Building;

namespace OciBuild.Cli.Commands;

/// <summary><c>ocibuild config [FLAGS] CONTAINER</c>: changes the image config that the next commit of a working container gets.</summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var container = new Argument<string>("container") { Description = "The working container, by name or ID" };
        var entrypoint = new Option<string?>("--entrypoint")
        {
            Description = "The Entrypoint: a JSON array such as '[\"/app/server\",\"--port\",\"80\"]', or a command line run with /bin/sh -c; an empty string clears it",
        };
        var cmd = new Option<string?>("--cmd")
        {
            Description = "The Cmd (default arguments): a JSON array, or words separated by spaces; an empty string clears it",
        };
        var env = new Option<string[]>("--env", "-e") { Description = "Set NAME=VALUE in the Env (repeatable); NAME- removes NAME" };
        var label = new Option<string[]>("--label", "-l") { Description = "Set the label NAME=VALUE (repeatable); NAME- removes it" };
        var port = new Option<string[]>("--port", "-p") { Description = "Expose PORT[/tcp|udp|sctp] (repeatable)" };
        var workingDirectory = new Option<string?>("--workingdir") { Description = "The working directory of the image's process, an absolute path" };
        var user = new Option<string?>("--user", "-u") { Description = "USER[:GROUP] the image's process runs as, by name or number" };
        var command = new Command("config", "Change the image config (entrypoint, command, environment, labels, ports, working directory, user) that the container's next commit gets")
        {
            container, entrypoint, cmd, env, label, port, workingDirectory, user,
        };

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(async () =>
        {
            using var session = CliSession.Create(parseResult);
            using var storeLock = await session.Store.LockAsync(cancellationToken);
            var record = session.Store.FindContainer(parseResult.GetValue(container)!);
            var config = await WorkingContainers.ReadConfigAsync(session.Store, record, cancellationToken);
            var settings = config.Config ??= new ContainerConfig();

            if (parseResult.GetValue(entrypoint) is { } entrypointText)
            {
                settings.Entrypoint = ParseCommand(entrypointText, "--entrypoint", shellForm: true);
            }

            if (parseResult.GetValue(cmd) is { } cmdText)
            {
                settings.Cmd = ParseCommand(cmdText, "--cmd", shellForm: false);
            }

            foreach (string entry in parseResult.GetValue(env) ?? [])
            {
                if (entry.EndsWith('-') && !entry.Contains('='))
                {
                    settings.Env?.RemoveAll(e => e.StartsWith(entry[..^1] + "=", StringComparison.Ordinal));
                    continue;
                }

                var (name, value) = SplitAssignment(entry, "--env");
                settings.SetEnvironmentVariable(name, value);
            }

            foreach (string entry in parseResult.GetValue(label) ?? [])
            {
                if (entry.EndsWith('-') && !entry.Contains('='))
                {
                    settings.Labels?.Remove(entry[..^1]);
                    continue;
                }

                var (name, value) = SplitAssignment(entry, "--label");
                (settings.Labels ??= [])[name] = value;
            }

            foreach (string entry in parseResult.GetValue(port) ?? [])
            {
                (settings.ExposedPorts ??= [])[ConfigAssembler.NormalizePort(entry)] = JsonSerializer.SerializeToElement(new { });
            }

            if (parseResult.GetValue(workingDirectory) is { } directory)
            {
                if (!directory.StartsWith('/'))
                {
                    throw new OciException(ErrorCodes.InvalidArgument, $"invalid --workingdir \"{directory}\": use an absolute path inside the container");
                }

                settings.WorkingDir = directory;
            }

            if (parseResult.GetValue(user) is { } userText)
            {
                settings.User = userText.Length == 0 ? null : userText;
            }

            await WorkingContainers.WriteConfigAsync(session.Store, record, config, cancellationToken);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// Parses a JSON array of strings, or else plain text: for an entrypoint a command line for
    /// <c>/bin/sh -c</c>, as a Dockerfile's shell form; for a command, words split at spaces.
    /// </summary>
    internal static List<string>? ParseCommand(string text, string option, bool shellForm)
    {
        if (text.Length == 0)
        {
            return null;
        }

        if (text.TrimStart().StartsWith('['))
        {
            try
            {
                return JsonSerializer.Deserialize<List<string>>(text) ?? throw new JsonException("null");
            }
            catch (JsonException e)
            {
                throw new OciException(ErrorCodes.InvalidArgument, $"invalid {option} \"{text}\": it starts with '[' but is not a JSON array of strings ({e.Message})");
            }
        }

        return shellForm ? ["/bin/sh", "-c", text] : [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static (string Name, string Value) SplitAssignment(string entry, string option)
    {
        int equals = entry.IndexOf('=');
        if (equals <= 0)
        {
            throw new OciException(ErrorCodes.InvalidArgument, $"invalid {option} \"{entry}\": expected NAME=VALUE, or NAME- to remove");
        }

        return (entry[..equals], entry[(equals + 1)..]);
    }
}
