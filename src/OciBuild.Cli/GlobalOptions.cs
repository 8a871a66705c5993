using System.CommandLine;
using OciBuild.Storage;

namespace OciBuild.Cli;

/// <summary>Options every verb takes.</summary>
internal static class GlobalOptions
{
    public static readonly Option<bool> Debug = new("--debug")
    {
        Description = "Print registry requests, runtime calls and generated specs to standard error (never credentials)",
        Recursive = true,
    };

    public static readonly Option<string?> Root = new("--root")
    {
        Description = $"The local store's folder (default: ${StorePaths.EnvironmentVariable}, else /var/lib/ocibuild/storage for root, ~/.local/share/ocibuild/storage otherwise)",
        Recursive = true,
    };
}
