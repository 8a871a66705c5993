using System.CommandLine;
using OciBuild.Storage;

namespace OciBuild.Cli.Commands;

/// <summary><c>ocibuild mount [CONTAINER...]</c>: mounts working containers' rootfs and prints their paths.</summary>
internal static class MountCommand
{
    public static Command Create()
    {
        var containers = new Argument<string[]>("container") { Description = "Containers to mount, by name or ID; without any, lists the mounted ones", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("mount", "Mount working containers' rootfs and print their paths; they stay mounted until umount or rm") { containers };

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(() =>
        {
            using var session = CliSession.Create(parseResult);
            string[] names = parseResult.GetValue(containers) ?? [];
            if (names.Length == 0)
            {
                foreach (var container in session.Store.ListContainers().Where(c => ContainerRootfs.IsMounted(session.Store, c)))
                {
                    Console.WriteLine($"{container.Name} {session.Store.GetContainerRootfs(container.Id)}");
                }

                return Task.FromResult(ExitCodes.Success);
            }

            foreach (string name in names)
            {
                var container = session.Store.FindContainer(name);
                ContainerRootfs.Mount(session.Store, container);
                Console.WriteLine(session.Store.GetContainerRootfs(container.Id));
            }

            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
