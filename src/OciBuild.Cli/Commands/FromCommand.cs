using System.CommandLine;
using OciBuild.Core;
using OciBuild.Transport;

namespace OciBuild.Cli.Commands;

/// <summary><c>ocibuild from IMAGE</c>: creates a working container from an image and prints its name.</summary>
internal static class FromCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "The image: a name in the local store, a registry reference, docker://REF, or oci:, oci-archive:, docker-archive:, dir: or docker-daemon: with its path or name" };
        var name = new Option<string?>("--name") { Description = "The container's name (default: IMAGE-working-container, with a numeric suffix when taken)" };
        var pull = PullOption.Create();
        var registryFlags = new RegistryFlags();
        var command = new Command("from", "Create a working container from an image and print its name") { image, name, pull };
        registryFlags.AddTo(command);

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(async () =>
        {
            using var session = CliSession.Create(parseResult, registryFlags);
            string imageText = parseResult.GetValue(image)!;
            var location = ImageLocation.Parse(imageText);
            var stored = await ImagePuller.PullAsync(session, location, parseResult.GetValue(pull), cancellationToken);
            string imageName = stored.Names.FirstOrDefault() ?? location.Reference.ToString();
            var container = await WorkingContainers.CreateAsync(session.Store, stored, imageName, parseResult.GetValue(name), cancellationToken);
            Console.WriteLine(container.Name);
            return ExitCodes.Success;
        }));
        return command;
    }
}
