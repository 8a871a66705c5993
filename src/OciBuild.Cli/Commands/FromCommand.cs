using System.CommandLine;
using OciBuild.Core;
using OciBuild.Transport;

namespace OciBuild.Cli.Commands;

/// <summary><c>ocibuild from IMAGE</c>: creates a working container from an image and prints its name.</summary>
internal static class FromCommand
{
    /// <summary>The name that stands for an image without layers or settings, as in buildah.</summary>
    public const string ScratchImage = "scratch";

    public static Command Create()
    {
        var image = new Argument<string>("image")
        {
            Description = "The image: a name in the local store, a registry reference, docker://REF, oci:, oci-archive:, "
                          + "docker-archive: (FILE:@INDEX picks one image of several), dir: or docker-daemon: with its path or name, or scratch for an empty container. "
                          + "A name without a registry that the local store lacks is pulled through registries.conf's [aliases] or unqualified-search-registries, else from docker.io",
        };
        var name = new Option<string?>("--name") { Description = "The container's name (default: IMAGE-working-container, with a numeric suffix when taken)" };
        var storageDriver = StorageDriver.CreateOption();
        var pull = PullOption.Create();
        var pullAlways = PullOption.CreateAlwaysAlias();
        var registryFlags = new RegistryFlags();
        var command = new Command("from", "Create a working container from an image, or an empty one from scratch, and print its name. --storage-driver picks an overlay or a copied rootfs")
        {
            image, name, storageDriver, pull, pullAlways,
        };
        registryFlags.AddTo(command);

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(async () =>
        {
            using var session = CliSession.Create(parseResult, registryFlags);
            string imageText = parseResult.GetValue(image)!;
            var requiredRootfs = StorageDriver.GetRequiredKind(parseResult, storageDriver);
            if (imageText == ScratchImage)
            {
                var empty = await WorkingContainers.CreateAsync(session.Store, null, ScratchImage, parseResult.GetValue(name), requiredRootfs, cancellationToken);
                Console.WriteLine(empty.Name);
                return ExitCodes.Success;
            }

            var location = ImageLocation.Parse(imageText);
            var stored = await ImagePuller.PullAsync(session, location, PullOption.GetPolicy(parseResult, pull, pullAlways), cancellationToken);
            string imageName = stored.Names.FirstOrDefault() ?? location.Reference.ToString();
            var container = await WorkingContainers.CreateAsync(session.Store, stored, imageName, parseResult.GetValue(name), requiredRootfs, cancellationToken);
            Console.WriteLine(container.Name);
            return ExitCodes.Success;
        }));
        return command;
    }
}
