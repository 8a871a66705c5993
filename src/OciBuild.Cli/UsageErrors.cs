using System.CommandLine;
using OciBuild.Core.Errors;

namespace OciBuild.Cli;

/// <summary>
/// Reports command-line parse errors (an unknown verb or option, a missing argument) the way verbs
/// report theirs: one line each with an OCIB code and the fix, instead of System.CommandLine's help text.
/// </summary>
internal static class UsageErrors
{
    public static int Report(ParseResult parseResult)
    {
        var command = parseResult.CommandResult.Command;
        string help = command is RootCommand ? "ocibuild --help" : $"ocibuild {command.Name} --help";
        foreach (var error in parseResult.Errors)
        {
            Console.Error.WriteLine($"Error: {error.Message.TrimEnd('.')}; `{help}` lists the verbs and options [{ErrorCodes.InvalidArgument}]");
        }

        return ExitCodes.Failure;
    }
}
