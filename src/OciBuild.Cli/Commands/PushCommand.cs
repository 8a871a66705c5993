using System.CommandLine;
using OciBuild.Core.Errors;
using OciBuild.Transport;
using OciBuild.Transport.Store;

namespace OciBuild.Cli.Commands;

/// <summary><c>ocibuild push IMAGE [DESTINATION]</c>: copies an image from the local store to a registry or any other transport.</summary>
internal static class PushCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "The image in the local store, by name or ID" };
        var destination = new Argument<string?>("destination")
        {
            Description = "Where to push: docker://REGISTRY/REPOSITORY[:TAG], oci:DIR[:REF], oci-archive:FILE[:REF], "
                          + "docker-archive:FILE[:NAME:TAG], dir:DIR or docker-daemon:NAME:TAG; a name without a transport means docker:// "
                          + "(default: docker:// and the image's own name)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var digestFile = new Option<string?>("--digestfile") { Description = "Write the pushed manifest's digest to this file" };
        var registryFlags = new RegistryFlags(withChunkSize: true);
        var command = new Command("push", "Copy an image from the local store to a registry, a file, a folder or a Docker engine") { image, destination, digestFile };
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
            if (target.Transport == TransportKind.Unspecified)
            {
                target = target with { Transport = TransportKind.Registry };
            }
            else if (target.Transport == TransportKind.LocalStore)
            {
                throw new OciException(ErrorCodes.InvalidArgument, $"push destination \"{destinationText}\" is the local store; use `ocibuild tag` to add a name");
            }

            // NOTE: a stored image index (from a multi-platform publish) is pushed as this machine's
            // image alone, because the copier resolves an index source to one platform.
            var copier = new ImageCopier(session.Logger) { Progress = ConsoleProgress.ForStandardError() };
            var targetDestination = session.Transport.OpenDestination(target);
            CopyResult result;
            try
            {
                result = await copier.CopyAsync(source, targetDestination, [target.Tag], platform: null, cancellationToken);
            }
            finally
            {
                (targetDestination as IDisposable)?.Dispose();
            }

            string? digestPath = parseResult.GetValue(digestFile);
            if (digestPath is not null)
            {
                await File.WriteAllTextAsync(digestPath, result.ManifestDigest.ToString(), cancellationToken);
            }

            string pushedName = target.Transport == TransportKind.Registry ? $"{target.Reference.Name}:{target.Reference.TagOrDigest}" : target.ToString();
            Console.Error.WriteLine($"pushed {pushedName} ({result.ManifestDigest})");
            return ExitCodes.Success;
        }));
        return command;
    }
}
