using Microsoft.Build.Framework;

namespace OciBuild.Tasks;

/// <summary>Reads where each published file comes from out of the metadata of <c>ResolvedFileToPublish</c> items.</summary>
public static class PublishFileClassifier
{
    // Runtime packs, which carry the runtime of self-contained apps, are NuGet packages with these prefixes.
    private static readonly string[] RuntimePackPrefixes =
    [
        "Microsoft.NETCore.App.Runtime.",
        "Microsoft.AspNetCore.App.Runtime.",
        "Microsoft.WindowsDesktop.App.Runtime.",
    ];

    /// <summary>Returns the kind of each item's <c>RelativePath</c>, with forward slashes.</summary>
    /// <param name="sourceProjectMetadata">The metadata that names the project a file comes from; items returned by an inner build carry it under another name.</param>
    public static IReadOnlyDictionary<string, PublishFileKind> Classify(IEnumerable<ITaskItem> publishFiles, string sourceProjectMetadata = "MSBuildSourceProjectFile")
    {
        var kinds = new Dictionary<string, PublishFileKind>(StringComparer.Ordinal);
        foreach (var item in publishFiles)
        {
            string relativePath = item.GetMetadata("RelativePath").Replace('\\', '/');
            if (relativePath.Length > 0)
            {
                kinds[relativePath] = Classify(item.GetMetadata("NuGetPackageId"), item.GetMetadata("ReferenceSourceTarget"), item.GetMetadata(sourceProjectMetadata));
            }
        }

        return kinds;
    }

    public static PublishFileKind Classify(string nuGetPackageId, string referenceSourceTarget, string sourceProjectFile)
    {
        if (RuntimePackPrefixes.Any(prefix => nuGetPackageId.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
        {
            return PublishFileKind.Runtime;
        }

        if (nuGetPackageId.Length > 0)
        {
            return PublishFileKind.Package;
        }

        if (referenceSourceTarget == "ProjectReference" || sourceProjectFile.Length > 0)
        {
            return PublishFileKind.ProjectReference;
        }

        return PublishFileKind.App;
    }
}
