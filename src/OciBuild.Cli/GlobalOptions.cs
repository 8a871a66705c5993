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

    public static readonly Option<string?> StorageDriver = new("--storage-driver")
    {
        Description = $"How `from` makes a working container's rootfs: overlay (an overlayfs mount over the cached layers, root only) or vfs (a copy of the layers); "
                      + $"default: ${Cli.StorageDriver.EnvironmentVariable}, else overlay where it can be mounted and vfs otherwise",
        HelpName = "overlay|vfs",
        Recursive = true,
    };
}
