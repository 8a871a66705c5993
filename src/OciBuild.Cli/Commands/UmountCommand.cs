using System.CommandLine;
using OciBuild.Core.Errors;
using OciBuild.Storage;

namespace OciBuild.Cli.Commands;

/// <summary><c>ocibuild umount CONTAINER...</c>: unmounts working containers' rootfs.</summary>
internal static class UmountCommand
{
    public static Command Create()
    {
        var containers = new Argument<string[]>("container") { Description = "Containers to unmount, by name or ID", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all", "-a") { Description = "Unmount every working container" };
        var command = new Command("umount", "Unmount working containers' rootfs; files stay in the container") { containers, all };

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(() =>
        {
            using var session = CliSession.Create(parseResult);
            string[] names = parseResult.GetValue(containers) ?? [];
            bool unmountAll = parseResult.GetValue(all);
            if (names.Length == 0 && !unmountAll)
            {
                throw new OciException(ErrorCodes.InvalidArgument, "name at least one container to unmount, or pass --all");
            }

            var targets = unmountAll ? session.Store.ListContainers() : names.Select(session.Store.FindContainer).ToList();
            foreach (var container in targets)
            {
                ContainerRootfs.Unmount(session.Store, container);
                Console.WriteLine(container.Id);
            }

            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
