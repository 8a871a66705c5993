using System.CommandLine;
using OciBuild.Storage;

namespace OciBuild.Cli.Commands;

/// <summary>
/// <c>ocibuild check [--repair]</c>: finds what interrupted writes and damaged files left in the local
/// store, and with <c>--repair</c> removes it. Exits with 0 when no problem remains and 1 otherwise.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var repair = new Option<bool>("--repair")
        {
            Description = "Remove temporary files, damaged blobs, images with missing blobs and container records or folders without each other",
        };
        var command = new Command("check", "Check the local store for partial and damaged blobs and dangling records") { repair };

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(async () =>
        {
            using var session = CliSession.Create(parseResult);
            bool repairing = parseResult.GetValue(repair);
            var report = await new StoreChecker(session.Store).CheckAsync(repairing, cancellationToken);

            foreach (var problem in report.Problems)
            {
                string outcome = problem.Repaired ? " (removed)" : "";
                Console.WriteLine($"{Describe(problem.Kind)}: {problem.Subject}: {problem.Detail}{outcome}");
            }

            foreach (string path in report.FilesInUse)
            {
                Console.WriteLine($"in use, left alone: {path}");
            }

            int remaining = report.Problems.Count(p => !p.Repaired);
            Console.WriteLine(
                $"checked {report.ImagesChecked} images, {report.BlobsChecked} blobs and {report.ContainersChecked} containers in {session.Store.Root}: "
                + $"{report.Problems.Count} problems found, {report.Problems.Count - remaining} repaired, {remaining} remaining");
            if (!repairing && report.Problems.Any(p => p.Kind != StoreProblemKind.UnknownFile))
            {
                Console.WriteLine("run `ocibuild check --repair` to remove them");
            }

            return remaining == 0 ? ExitCodes.Success : ExitCodes.Failure;
        }));
        return command;
    }

    private static string Describe(StoreProblemKind kind) => kind switch
    {
        StoreProblemKind.PartialFile => "partial file",
        StoreProblemKind.CorruptBlob => "damaged blob",
        StoreProblemKind.UnknownFile => "unknown file",
        StoreProblemKind.DanglingImage => "dangling image",
        StoreProblemKind.ContainerWithoutFolder => "container without folder",
        StoreProblemKind.FolderWithoutContainer => "folder without container",
        _ => kind.ToString(),
    };
}
