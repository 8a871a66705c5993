using System.Text.Json;
using OciBuild.Core.Errors;

namespace OciBuild.Tasks.Sbom;

/// <summary>
/// Reads the NuGet packages of one target from obj/project.assets.json, the restore result that
/// NuGet writes for every SDK-style project.
/// </summary>
public static class ProjectAssetsReader
{
    /// <summary>
    /// Returns the packages in the restore graph of <paramref name="targetFramework"/> (and
    /// <paramref name="runtimeIdentifier"/>, when set), sorted by ID and version. Project references are left out.
    /// </summary>
    /// <exception cref="OciException">The file is missing (OCIB4010) or is not an assets file with that target (OCIB4011).</exception>
    public static IReadOnlyList<NuGetPackage> Read(string assetsFile, string? targetFramework, string? runtimeIdentifier)
    {
        if (!File.Exists(assetsFile))
        {
            throw new OciException(
                ErrorCodes.ProjectAssetsMissing,
                $"the SBOM needs the restore result {assetsFile}, which is missing; restore the project (dotnet restore) or set OciSbom=false");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(assetsFile));
            var root = document.RootElement;
            var target = FindTarget(root.GetProperty("targets"), targetFramework, runtimeIdentifier, assetsFile);
            var libraries = root.GetProperty("libraries");

            var packages = new List<NuGetPackage>();
            foreach (var library in target.EnumerateObject())
            {
                if (library.Value.TryGetProperty("type", out var type) && type.GetString() != "package")
                {
                    continue;
                }

                packages.Add(ToPackage(library.Name, libraries, assetsFile));
            }

            return packages
                .OrderBy(p => p.Id, StringComparer.OrdinalIgnoreCase)
                .ThenBy(p => p.Version, StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new OciException(
                ErrorCodes.ProjectAssetsInvalid,
                $"{assetsFile} is not a valid NuGet assets file ({e.Message}); restore the project again (dotnet restore --force) or set OciSbom=false",
                e);
        }
    }

    private static JsonElement FindTarget(JsonElement targets, string? targetFramework, string? runtimeIdentifier, string assetsFile)
    {
        var names = targets.EnumerateObject().Select(t => t.Name).ToList();
        string? requested = string.IsNullOrEmpty(targetFramework) ? null
            : string.IsNullOrEmpty(runtimeIdentifier) ? targetFramework
            : $"{targetFramework}/{runtimeIdentifier}";

        // The runtime identifier can come from OciRuntimeIdentifiers alone, which the restore did not
        // see, so the framework's RID-less target serves next. A project with one framework has one
        // RID-less target, which serves when the framework is spelled differently (".NETCoreApp,Version=v8.0").
        var ridLess = names.Where(n => !n.Contains('/')).ToList();
        string? name = names.FirstOrDefault(n => string.Equals(n, requested, StringComparison.OrdinalIgnoreCase))
                       ?? names.FirstOrDefault(n => string.Equals(n, targetFramework, StringComparison.OrdinalIgnoreCase))
                       ?? (ridLess.Count == 1 ? ridLess[0] : null);
        if (name is null)
        {
            throw new OciException(
                ErrorCodes.ProjectAssetsInvalid,
                $"{assetsFile} has no restore target {requested ?? "(target framework not given)"}; it has {string.Join(", ", names)}. Restore the project for that framework and runtime identifier, or set OciSbom=false");
        }

        return targets.GetProperty(name);
    }

    private static NuGetPackage ToPackage(string key, JsonElement libraries, string assetsFile)
    {
        int slash = key.IndexOf('/');
        if (slash <= 0 || slash == key.Length - 1)
        {
            throw new OciException(ErrorCodes.ProjectAssetsInvalid, $"{assetsFile} lists the library \"{key}\", which is not in the form ID/VERSION; restore the project again or set OciSbom=false");
        }

        string? sha512 = null;
        if (libraries.TryGetProperty(key, out var library) && library.TryGetProperty("sha512", out var hash) && hash.GetString() is { Length: > 0 } base64)
        {
            // NuGet stores its content hash as base64, and SPDX writes checksums as hex.
            sha512 = Convert.ToHexString(Convert.FromBase64String(base64)).ToLowerInvariant();
        }

        return new NuGetPackage(key[..slash], key[(slash + 1)..], sha512);
    }
}
