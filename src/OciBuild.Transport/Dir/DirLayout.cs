using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Transport.Dir;

/// <summary>
/// The file names of skopeo's <c>dir:</c> format: <c>version</c>, <c>manifest.json</c> for the top-level
/// manifest, <c>HEX.manifest.json</c> for the manifests an index lists, and every other blob as
/// <c>HEX</c> (sha256) or <c>ALGORITHM-HEX</c>.
/// </summary>
internal static class DirLayout
{
    public const string VersionFileName = "version";
    public const string ManifestFileName = "manifest.json";

    /// <summary>The content of <c>version</c> that skopeo 1.9 writes and accepts.</summary>
    public const string VersionText = "Directory Transport Version: 1.1\n";

    public static string BlobPath(string root, Digest digest)
        => Path.Combine(root, digest.Algorithm == Digest.Sha256 ? digest.Encoded : $"{digest.Algorithm}-{digest.Encoded}");

    public static string InstanceManifestPath(string root, Digest digest)
        => Path.Combine(root, $"{digest.Encoded}.{ManifestFileName}");

    public static void RequireVersionFile(string root, string description)
    {
        string versionPath = Path.Combine(root, VersionFileName);
        if (!File.Exists(versionPath))
        {
            throw new OciException(ErrorCodes.InvalidImageLayout, $"{description} is not a dir: image: {versionPath} is missing");
        }

        string version = File.ReadAllText(versionPath);
        if (!version.StartsWith("Directory Transport Version: 1.", StringComparison.Ordinal))
        {
            throw new OciException(ErrorCodes.InvalidImageLayout, $"{description}: {versionPath} names the unsupported format \"{version.Trim()}\"");
        }
    }
}
