using System.CommandLine;
using OciBuild.Core.Errors;
using OciBuild.Transport;
using OciBuild.Transport.Store;

namespace OciBuild.Cli.Commands;

/// <summary><c>ocibuild push IMAGE [DESTINATION]</c>: copies an image from the local store to a registry.</summary>
internal static class PushCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "The image in the local store, by name or ID" };
        var destination = new Argument<string?>("destination")
        {
            Description = "Where to push: docker://REGISTRY/REPOSITORY[:TAG] (default: the image's own name)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var digestFile = new Option<string?>("--digestfile") { Description = "Write the pushed manifest's digest to this file" };
        var registryFlags = new RegistryFlags(withChunkSize: true);
        var command = new Command("push", "Copy an image from the local store to a registry") { image, destination, digestFile };
        registryFlags.AddTo(command);

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(async () =>
        {
            using var session = CliSession.Create(parseResult, registryFlags);
            string imageText = parseResult.GetValue(image)!;
            var stored = await session.Store.GetImageAsync(imageText, cancellationToken);
            var source = new StoreImageSource(session.Store, stored, imageText);

            string destinationText = parseResult.GetValue(destination) ?? "docker://" + (stored.Names.FirstOrDefault()
                ?? throw new OciException(ErrorCodes.InvalidArgument, $"image {imageText} has no name; give a destination such as docker://localhost:5000/app:latest"));
            var target = ImageLocation.Parse(destinationText);
            if (target.Transport != TransportKind.Registry)
            {
                throw new OciException(ErrorCodes.InvalidArgument, $"push destination \"{destinationText}\" must start with docker://");
            }

            var copier = new ImageCopier(session.Logger);
            var result = await copier.CopyAsync(source, session.Transport.OpenDestination(target), [target.Reference.TagOrDigest], platform: null, cancellationToken);
            string? digestPath = parseResult.GetValue(digestFile);
            if (digestPath is not null)
            {
                await File.WriteAllTextAsync(digestPath, result.ManifestDigest.ToString(), cancellationToken);
            }

            Console.Error.WriteLine($"pushed {target.Reference.Name}:{target.Reference.TagOrDigest} ({result.ManifestDigest})");
            return ExitCodes.Success;
        }));
        return command;
    }
}
