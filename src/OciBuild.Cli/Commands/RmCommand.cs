using System.CommandLine;
using OciBuild.Core.Errors;

namespace OciBuild.Cli.Commands;

/// <summary><c>ocibuild rm CONTAINER...</c>: unmounts and removes working containers and their rootfs.</summary>
internal static class RmCommand
{
    public static Command Create()
    {
        var containers = new Argument<string[]>("container") { Description = "Containers to remove, by name or ID", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all", "-a") { Description = "Remove every working container" };
        var command = new Command("rm", "Unmount and remove working containers with their rootfs") { containers, all };

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(async () =>
        {
            using var session = CliSession.Create(parseResult);
            string[] names = parseResult.GetValue(containers) ?? [];
            bool removeAll = parseResult.GetValue(all);
            if (names.Length == 0 && !removeAll)
            {
                throw new OciException(ErrorCodes.InvalidArgument, "name at least one container to remove, or pass --all");
            }

            using var storeLock = await session.Store.LockAsync(cancellationToken);
            var targets = removeAll ? session.Store.ListContainers() : names.Select(session.Store.FindContainer).ToList();
            foreach (var container in targets)
            {
                session.Store.RemoveContainer(container);
                Console.WriteLine(container.Id);
            }

            // Cached layers that only the removed containers used can go now.
            await session.Store.CollectGarbageAsync(cancellationToken);

            return ExitCodes.Success;
        }));
        return command;
    }
}
