using System.CommandLine;

namespace OciBuild.Cli;

/// <summary>The <c>--pull</c> option of <c>from</c> and <c>pull</c>.</summary>
internal static class PullOption
{
    public static Option<PullPolicy> Create() => new("--pull")
    {
        Description = "When to pull from the registry: missing (only when the local store lacks the image), always, never",
        DefaultValueFactory = _ => PullPolicy.Missing,
    };
}
