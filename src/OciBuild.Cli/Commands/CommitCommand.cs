using System.CommandLine;
using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Layers;
using OciBuild.Storage;
using OciBuild.Transport;
using OciBuild.Transport.Building;

namespace OciBuild.Cli.Commands;

/// <summary>
/// <c>ocibuild commit CONTAINER [IMAGE]</c>: turns a working container's changes into a new layer on
/// top of its image, with the container's pending config, and stores or pushes the result.
/// </summary>
internal static class CommitCommand
{
    public static Command Create()
    {
        var container = new Argument<string>("container") { Description = "The working container, by name or ID" };
        var image = new Argument<string?>("image")
        {
            Description = "The new image's name: NAME[:TAG] in the local store (a short name becomes localhost/NAME:latest), or docker://REFERENCE to push it; without one the image is stored unnamed",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the image ID, no progress lines" };
        // A commit to docker:// uploads the new layer, so it takes push's --chunk-size. It writes to no Docker engine.
        var registryFlags = new RegistryFlags(withChunkSize: true, withDaemonHost: false);
        var command = new Command("commit", "Create an image from a working container's changes, with their owners, modes, times and hard links, and its config, and print its image ID. SOURCE_DATE_EPOCH, when set, replaces every file time") { container, image, quiet };
        registryFlags.AddTo(command);

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(async () =>
        {
            using var session = CliSession.Create(parseResult, registryFlags);
            var record = session.Store.FindContainer(parseResult.GetValue(container)!);
            string? target = parseResult.GetValue(image);
            var logger = parseResult.GetValue(quiet) ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance : session.Logger;

            var committed = await ContainerCommitter.BuildAsync(session.Store, record, logger, cancellationToken);
            try
            {
                if (target is not null && target.StartsWith("docker://", StringComparison.Ordinal))
                {
                    var location = ImageLocation.Parse(target);
                    var copier = new ImageCopier(logger);
                    await copier.CopyAsync(committed.Image, session.Transport.OpenDestination(location), [location.Reference.TagOrDigest], platform: null, cancellationToken);
                }
                else
                {
                    await StoreAsync(session.Store, committed, target, cancellationToken);
                }
            }
            finally
            {
                committed.DeleteLayerFile();
            }

            Console.WriteLine(committed.Image.ConfigDigest.Encoded);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static async Task StoreAsync(LocalImageStore store, CommittedImage committed, string? name, CancellationToken cancellationToken)
    {
        var reference = name is null ? null : ImageLocation.ParseLocalName(name.StartsWith("containers-storage:", StringComparison.Ordinal) ? name["containers-storage:".Length..] : name);
        var built = committed.Image;

        // Base layers are in the store already; the lock keeps a concurrent rmi from collecting them meanwhile.
        using var storeLock = await store.LockAsync(cancellationToken);
        foreach (var layer in built.ParsedManifest.Layers)
        {
            if (!store.Blobs.Contains(layer.Digest))
            {
                await using var content = await built.OpenBlobAsync(layer, cancellationToken);
                await store.Blobs.PutAsync(layer.Digest, content, cancellationToken);
            }
        }

        await using (var config = await built.OpenBlobAsync(built.ParsedManifest.Config, cancellationToken))
        {
            await store.Blobs.PutAsync(built.ConfigDigest, config, cancellationToken);
        }

        await store.Blobs.PutAsync(built.Manifest.Digest, built.Manifest.Bytes, cancellationToken);
        if (reference is null)
        {
            store.AddUnnamedImage(built.Manifest.ToDescriptor());
        }
        else
        {
            store.SetName(built.Manifest.ToDescriptor(), reference.Tag is null ? $"{reference.Name}@{reference.Digest}" : $"{reference.Name}:{reference.Tag}");
        }
    }
}
