using System.CommandLine;
using OciBuild.Transport;

namespace OciBuild.Cli.Commands;

/// <summary><c>ocibuild pull IMAGE</c>: copies an image from its registry into the local store and prints its ID.</summary>
internal static class PullCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "The image to pull: a registry reference or docker://REF" };
        var policy = PullOption.Create();
        policy.Aliases.Add("--policy");
        var pullAlways = PullOption.CreateAlwaysAlias();
        var registryFlags = new RegistryFlags();
        var command = new Command("pull", "Copy an image from a registry into the local store and print its image ID") { image, policy, pullAlways };
        registryFlags.AddTo(command);

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(async () =>
        {
            using var session = CliSession.Create(parseResult, registryFlags);
            var location = ImageLocation.Parse(parseResult.GetValue(image)!);
            var stored = await ImagePuller.PullAsync(session, location, PullOption.GetPolicy(parseResult, policy, pullAlways), cancellationToken);
            Console.WriteLine(stored.Id.Encoded);
            return ExitCodes.Success;
        }));
        return command;
    }
}
