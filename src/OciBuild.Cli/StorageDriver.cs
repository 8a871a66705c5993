using System.CommandLine;
using OciBuild.Core.Errors;
using OciBuild.Storage;

namespace OciBuild.Cli;

/// <summary>
/// Picks how <c>from</c> makes a working container's rootfs, with buildah's driver names: <c>overlay</c>
/// mounts overlayfs over the cached layers, and <c>vfs</c> copies them into a folder. Without a choice,
/// overlay is tried and the copy is the fallback.
/// </summary>
internal static class StorageDriver
{
    public const string EnvironmentVariable = "OCIBUILD_STORAGE_DRIVER";

    public const string Overlay = "overlay";
    public const string Vfs = "vfs";

    public static Option<string?> CreateOption() => new("--storage-driver")
    {
        Description = "How the working container's rootfs is made: overlay (an overlayfs mount over the cached layers, root only) or vfs (a copy of the layers); "
                      + $"default: ${EnvironmentVariable}, else overlay where it can be mounted and vfs otherwise",
        HelpName = "overlay|vfs",
    };

    /// <summary>
    /// Returns the rootfs kind that <c>--storage-driver</c>, else <c>OCIBUILD_STORAGE_DRIVER</c>, requires,
    /// or null when neither is set.
    /// </summary>
    /// <exception cref="OciException">The value is not overlay or vfs (code OCIB1010).</exception>
    public static RootfsKind? GetRequiredKind(ParseResult parseResult, Option<string?> option)
    {
        string? flag = parseResult.GetValue(option);
        string? value = string.IsNullOrEmpty(flag) ? Environment.GetEnvironmentVariable(EnvironmentVariable) : flag;
        string source = string.IsNullOrEmpty(flag) ? EnvironmentVariable : "--storage-driver";
        return value switch
        {
            null or "" => null,
            Overlay => RootfsKind.Overlay,
            Vfs => RootfsKind.Copy,
            _ => throw new OciException(ErrorCodes.InvalidStorageDriver, $"invalid storage driver \"{value}\" in {source}: use {Overlay} or {Vfs}"),
        };
    }
}
