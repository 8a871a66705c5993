using System.CommandLine;
using OciBuild.Core.Errors;
using OciBuild.Storage;

namespace OciBuild.Cli.Commands;

/// <summary><c>ocibuild rmi IMAGE...</c>: removes image names, and images with their blobs once nothing refers to them.</summary>
internal static class RmiCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("image") { Description = "Images to remove, by name or ID", Arity = ArgumentArity.ZeroOrMore };
        var force = new Option<bool>("--force", "-f") { Description = "Remove the image even when working containers use it (their rootfs stays)" };
        var prune = new Option<bool>("--prune", "-p") { Description = "Remove every image that has no name" };
        var command = new Command("rmi", "Remove images from the local store") { images, force, prune };

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(async () =>
        {
            using var session = CliSession.Create(parseResult);
            var store = session.Store;
            string[] requested = parseResult.GetValue(images) ?? [];
            bool pruning = parseResult.GetValue(prune);
            if (requested.Length == 0 && !pruning)
            {
                throw new OciException(ErrorCodes.InvalidArgument, "name at least one image to remove, or pass --prune");
            }

            using var storeLock = await store.LockAsync(cancellationToken);
            foreach (string text in requested)
            {
                var image = await store.GetImageAsync(text, cancellationToken);
                RemoveOne(store, image, text, parseResult.GetValue(force));
            }

            if (pruning)
            {
                foreach (var dangling in (await store.ListImagesAsync(cancellationToken)).Where(i => i.Names.Count == 0))
                {
                    store.RemoveImage(dangling.Manifest.Digest);
                    Console.WriteLine(dangling.Id.Encoded);
                }
            }

            await store.CollectGarbageAsync(cancellationToken);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void RemoveOne(LocalImageStore store, StoredImage image, string text, bool force)
    {
        // A name removes only that name; an ID removes the whole image.
        string? name = LocalImageStore.ResolveName(image.Names, text);
        bool removesImage = name is null || image.Names.Count == 1;
        var users = store.ListContainers().Where(c => c.ManifestDigest == image.PlatformManifest.Digest).ToList();
        if (removesImage && users.Count > 0 && !force)
        {
            throw new OciException(ErrorCodes.ImageInUse, $"image {text} is used by working container {string.Join(", ", users.Select(c => c.Name))}; remove it with `ocibuild rm` first or pass --force");
        }

        if (name is not null && !removesImage)
        {
            store.RemoveName(name);
            Console.WriteLine($"untagged: {name}");
            return;
        }

        store.RemoveImage(image.Manifest.Digest);
        foreach (string removed in image.Names)
        {
            Console.WriteLine($"untagged: {removed}");
        }

        Console.WriteLine(image.Id.Encoded);
    }
}
