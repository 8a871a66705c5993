using System.CommandLine;
using System.Text.Json;

namespace OciBuild.Cli.Commands;

/// <summary><c>ocibuild containers</c>: lists working containers.</summary>
internal static class ContainersCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the list as JSON" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Show full IDs" };
        var command = new Command("containers", "List working containers") { json, noTrunc };

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(() =>
        {
            using var session = CliSession.Create(parseResult);
            session.WarnIfStoreMissing();
            var containers = session.Store.ListContainers();
            if (parseResult.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(containers, new JsonSerializerOptions { WriteIndented = true }));
                return Task.FromResult(ExitCodes.Success);
            }

            bool full = parseResult.GetValue(noTrunc);
            var rows = new List<string[]> { new[] { "CONTAINER ID", "IMAGE ID", "IMAGE NAME", "CONTAINER NAME" } };
            foreach (var container in containers)
            {
                string imageId = "";
                if (container.ImageId is { } id)
                {
                    imageId = full ? id.Encoded : id.ShortId;
                }

                rows.Add([full ? container.Id : container.Id[..12], imageId, container.ImageName, container.Name]);
            }

            TableWriter.Write(rows);
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
