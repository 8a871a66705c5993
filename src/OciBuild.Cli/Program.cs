using System.CommandLine;
using System.CommandLine.Help;
using OciBuild.Cli;
using OciBuild.Cli.Commands;

var root = new RootCommand("ocibuild: build, run, push and pull OCI container images, with a local image store")
{
    FromCommand.Create(),
    RunCommand.Create(),
    PullCommand.Create(),
    PushCommand.Create(),
    ImagesCommand.Create(),
    RmiCommand.Create(),
    TagCommand.Create(),
    InspectCommand.Create(),
    ContainersCommand.Create(),
    RmCommand.Create(),
    CommitCommand.Create(),
    ConfigCommand.Create(),
    CopyCommand.CreateCopy(),
    CopyCommand.CreateAdd(),
    MountCommand.Create(),
    UmountCommand.Create(),
    CheckCommand.Create(),
    LoginCommand.Create(),
    LogoutCommand.Create(),
};
root.Options.Add(GlobalOptions.Debug);
root.Options.Add(GlobalOptions.Root);

// System.CommandLine would end the process two seconds after Ctrl+C or SIGTERM; `run` forwards those
// signals to runc itself and must live until runc has deleted the container. Store writes are atomic,
// so other verbs lose nothing when a signal ends them at once.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
var parseResult = root.Parse(args);
if (parseResult.Errors.Count > 0 && parseResult.Action is not HelpAction)
{
    return UsageErrors.Report(parseResult);
}

return await parseResult.InvokeAsync(invocation);
