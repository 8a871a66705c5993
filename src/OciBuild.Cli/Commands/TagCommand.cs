using System.CommandLine;
using OciBuild.Core.Errors;
using OciBuild.Transport;

namespace OciBuild.Cli.Commands;

/// <summary><c>ocibuild tag IMAGE NEW_NAME...</c>: adds names to an image in the local store.</summary>
internal static class TagCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "The image, by name or ID" };
        var names = new Argument<string[]>("new-name") { Description = "Names to add, such as localhost:5000/app:1.0", Arity = ArgumentArity.OneOrMore };
        var command = new Command("tag", "Add names to an image in the local store") { image, names };

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(async () =>
        {
            using var session = CliSession.Create(parseResult);
            string imageText = parseResult.GetValue(image)!;
            using var storeLock = await session.Store.LockAsync(cancellationToken);
            var stored = await session.Store.GetImageAsync(imageText, cancellationToken);
            foreach (string name in parseResult.GetValue(names)!)
            {
                var reference = ImageLocation.ParseLocalName(name);
                session.Store.SetName(stored.Manifest, reference.ToString());
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
