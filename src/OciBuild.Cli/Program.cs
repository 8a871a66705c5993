using System.CommandLine;
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
};
root.Options.Add(GlobalOptions.Debug);
root.Options.Add(GlobalOptions.Root);

return await root.Parse(args).InvokeAsync();
