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
                          + "docker-archive:FILE[:NAME:TAG|:@INDEX], dir:DIR or docker-daemon:NAME:TAG. An image without a name of its own "
                          + "is stored as localhost/BASENAME, after the file or folder. A name without a registry is looked up in the local store, "
                          + "then in its registries.conf [aliases] entry or each unqualified-search-registries entry in order, else docker.io",
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

            // A short name stays without a transport, so that the puller searches registries.conf for it.
            if (location.Transport == TransportKind.LocalStore || (location.Transport == TransportKind.Unspecified && !ImagePuller.IsShortName(location)))
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
