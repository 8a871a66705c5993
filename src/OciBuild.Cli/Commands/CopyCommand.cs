using System.CommandLine;
using OciBuild.Core.Errors;
using OciBuild.Storage;

namespace OciBuild.Cli.Commands;

/// <summary>
/// <c>ocibuild copy CONTAINER SRC... DEST</c> and <c>ocibuild add</c>: copy host files into a working
/// container. <c>add</c> also unpacks local tar archives at the destination.
/// </summary>
internal static class CopyCommand
{
    public static Command CreateCopy() => Create("copy", "Copy host files and folders into a working container", extractArchives: false);

    public static Command CreateAdd() => Create("add", "Copy host files and folders into a working container, unpacking tar archives (plain or gzip) at the destination", extractArchives: true);

    private static Command Create(string verb, string description, bool extractArchives)
    {
        var container = new Argument<string>("container") { Description = "The working container, by name or ID" };
        var paths = new Argument<string[]>("paths")
        {
            Description = "One or more host paths to copy, then the destination inside the container (a folder when it ends with '/', exists, or several sources are given)",
            Arity = ArgumentArity.OneOrMore,
        };
        var chown = new Option<string?>("--chown") { Description = "UID[:GID] that owns the copied files (default 0:0)" };
        var command = new Command(verb, description) { container, paths, chown };

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(async () =>
        {
            string[] arguments = parseResult.GetValue(paths) ?? [];
            if (arguments.Length < 2)
            {
                throw new OciException(ErrorCodes.InvalidArgument, $"{verb} needs at least one source and a destination: ocibuild {verb} CONTAINER SRC... DEST");
            }

            using var session = CliSession.Create(parseResult);
            var record = session.Store.FindContainer(parseResult.GetValue(container)!);
            using var rootfs = ContainerRootfs.Use(session.Store, record);
            var copier = new ContainerFileCopier(rootfs.Path, parseResult.GetValue(chown));
            await copier.CopyAsync(arguments[..^1], arguments[^1], extractArchives, cancellationToken);
            return ExitCodes.Success;
        }));
        return command;
    }
}
