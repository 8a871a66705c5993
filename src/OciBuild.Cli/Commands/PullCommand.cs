using System.CommandLine;
using OciBuild.Transport;

namespace OciBuild.Cli.Commands;

/// <summary><c>ocibuild pull IMAGE</c>: copies an image from a registry or any other transport into the local store and prints its ID.</summary>
internal static class PullCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image")
        {
            Description = "The image to pull: a registry reference, docker://REF, oci:DIR[:REF], oci-archive:FILE[:REF], "
                          + "docker-archive:FILE[:NAME:TAG], dir:DIR or docker-daemon:NAME:TAG. An image without a name of its own "
                          + "is stored as localhost/BASENAME, after the file or folder",
        };
        var policy = PullOption.Create();
        policy.Aliases.Add("--policy");
        var pullAlways = PullOption.CreateAlwaysAlias();
        var registryFlags = new RegistryFlags();
        var command = new Command("pull", "Copy an image from a registry, a file, a folder or a Docker engine into the local store and print its image ID")
        {
            image, policy, pullAlways,
        };
        registryFlags.AddTo(command);

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(async () =>
        {
            using var session = CliSession.Create(parseResult, registryFlags);
            var location = ImageLocation.Parse(parseResult.GetValue(image)!);
            if (location.Transport is TransportKind.Unspecified or TransportKind.LocalStore)
            {
                location = location with { Transport = TransportKind.Registry };
            }

            var stored = await ImagePuller.PullAsync(session, location, PullOption.GetPolicy(parseResult, policy, pullAlways), cancellationToken);
            Console.WriteLine(stored.Id.Encoded);
            return ExitCodes.Success;
        }));
        return command;
    }
}
