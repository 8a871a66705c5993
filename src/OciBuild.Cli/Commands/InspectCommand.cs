using System.CommandLine;
using System.Text;
using System.Text.Json;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Transport;
using OciBuild.Transport.Registry;
using OciBuild.Transport.Store;

namespace OciBuild.Cli.Commands;

/// <summary>
/// <c>ocibuild inspect IMAGE</c>: prints an image's summary in the JSON shape of <c>skopeo inspect</c>,
/// for images in a registry (<c>docker://</c>), in the local store and in any other transport.
/// </summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image")
        {
            Description = "docker://REFERENCE, containers-storage:NAME, a name in the local store, oci:DIR[:REF], "
                          + "oci-archive:FILE[:REF], docker-archive:FILE[:NAME:TAG], dir:DIR or docker-daemon:NAME:TAG",
        };
        var raw = new Option<bool>("--raw") { Description = "Print the manifest (or index) exactly as stored" };
        var config = new Option<bool>("--config") { Description = "Print the image config" };
        var registryFlags = new RegistryFlags();
        var command = new Command("inspect", "Show an image's name, digest, tags, layers and settings as JSON") { image, raw, config };
        registryFlags.AddTo(command);

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(async () =>
        {
            using var session = CliSession.Create(parseResult, registryFlags);
            string text = parseResult.GetValue(image)!;
            var location = ImageLocation.Parse(text);
            IImageSource source;
            string name;
            IReadOnlyList<string> tags;
            if (location.Transport == TransportKind.Registry)
            {
                var client = session.Transport.GetRegistryClient(location.Reference.Registry);
                source = new RegistryImageSource(client, location.Reference);
                name = location.Reference.Name;
                tags = await client.ListTagsAsync(location.Reference.Repository, cancellationToken);
            }
            else if (location.Transport is TransportKind.Unspecified or TransportKind.LocalStore)
            {
                var stored = await session.Store.FindImageAsync(location.Text, cancellationToken)
                             ?? throw new NotFoundException(ErrorCodes.ImageNotFound, $"image {text} not found in the local store; use docker://{location.Reference} for a registry image");
                source = new StoreImageSource(session.Store, stored, text);
                name = stored.Names.Select(n => ImageReference.Parse(n).Name).FirstOrDefault() ?? stored.Id.ToString();
                tags = stored.Names.Select(n => ImageReference.Parse(n)).Where(r => r.Name == name && r.Tag is not null).Select(r => r.Tag!).ToList();
            }
            else
            {
                // Like skopeo, list no tags outside a registry: a file or folder has no tag list to ask for.
                source = await session.Transport.OpenSourceAsync(location, cancellationToken);
                name = location.HasReference ? location.Reference.Name : "";
                tags = [];
            }

            using var disposableSource = source as IDisposable;
            var top = await source.GetManifestAsync(null, cancellationToken);
            if (parseResult.GetValue(raw))
            {
                await Console.Out.WriteAsync(Encoding.UTF8.GetString(top.Bytes));
                return ExitCodes.Success;
            }

            var manifestContent = await ImageCopier.ResolveManifestAsync(source, Platform.Current(), cancellationToken);
            var manifest = OciJson.Deserialize<ImageManifest>(manifestContent.Bytes, $"manifest of {text}");
            await using var configStream = await source.OpenBlobAsync(manifest.Config, cancellationToken);
            using var configBuffer = new MemoryStream();
            await configStream.CopyToAsync(configBuffer, cancellationToken);
            if (parseResult.GetValue(config))
            {
                using var document = JsonDocument.Parse(configBuffer.ToArray());
                Console.WriteLine(JsonSerializer.Serialize(document.RootElement, Indented));
                return ExitCodes.Success;
            }

            var imageConfig = OciJson.Deserialize<ImageConfig>(configBuffer.ToArray(), $"config of {text}");
            var summary = new
            {
                Name = name,
                Digest = top.Digest.ToString(),
                RepoTags = tags,
                Created = imageConfig.Created,
                DockerVersion = "",
                Labels = imageConfig.Config?.Labels,
                Architecture = imageConfig.Architecture,
                Os = imageConfig.Os,
                Layers = manifest.Layers.Select(l => l.Digest.ToString()).ToList(),
                LayersData = manifest.Layers.Select(l => new { MIMEType = l.MediaType, Digest = l.Digest.ToString(), l.Size, l.Annotations }).ToList(),
                Env = imageConfig.Config?.Env,
            };
            Console.WriteLine(JsonSerializer.Serialize(summary, Indented));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
