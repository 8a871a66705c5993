using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace OciBuild.Cli.Commands;

/// <summary><c>ocibuild images</c>: lists the images in the local store.</summary>
internal static class ImagesCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the list as JSON" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Show full image IDs" };
        var digests = new Option<bool>("--digests") { Description = "Show manifest digests" };
        var command = new Command("images", "List the images in the local store") { json, noTrunc, digests };

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(async () =>
        {
            using var session = CliSession.Create(parseResult);
            session.WarnIfStoreMissing();
            var images = await session.Store.ListImagesAsync(cancellationToken);
            if (parseResult.GetValue(json))
            {
                var rows = images.Select(i => new
                {
                    id = i.Id.Encoded,
                    names = i.Names,
                    digest = i.Manifest.Digest.ToString(),
                    created = i.Created,
                    size = i.Size,
                });
                Console.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Success;
            }

            bool full = parseResult.GetValue(noTrunc);
            bool showDigests = parseResult.GetValue(digests);
            var table = new List<string[]>();
            table.Add(showDigests
                ? ["IMAGE ID", "IMAGE NAME", "DIGEST", "CREATED AT", "SIZE"]
                : ["IMAGE ID", "IMAGE NAME", "CREATED AT", "SIZE"]);
            foreach (var image in images)
            {
                string id = full ? image.Id.ToString() : image.Id.ShortId;
                string created = image.Created?.ToUniversalTime().ToString("MMM d, yyyy HH:mm", CultureInfo.InvariantCulture) ?? "";
                foreach (string name in image.Names.DefaultIfEmpty("<none>"))
                {
                    table.Add(showDigests
                        ? [id, name, image.Manifest.Digest.ToString(), created, FormatSize(image.Size)]
                        : [id, name, created, FormatSize(image.Size)]);
                }
            }

            TableWriter.Write(table);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Formats a byte count the way buildah does: decimal units, three significant digits.</summary>
    internal static string FormatSize(long bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{value:0.##} {units[unit]}");
    }
}
