namespace OciBuild.Tasks.Sbom;

/// <summary>A NuGet package of the project's restore graph, as obj/project.assets.json lists it.</summary>
/// <param name="Id">The package ID with its original casing, such as <c>Newtonsoft.Json</c>.</param>
/// <param name="Version">The resolved version, such as <c>13.0.3</c>.</param>
/// <param name="Sha512">
/// NuGet's content hash as lowercase hex, or null when the assets file has none. It is the SHA-512 of
/// the .nupkg file for unsigned packages, and of the package without its signature file for signed ones.
/// </param>
public sealed record NuGetPackage(string Id, string Version, string? Sha512)
{
    /// <summary>The package URL (purl) of the package, <c>pkg:nuget/ID@VERSION</c>.</summary>
    public string PackageUrl => $"pkg:nuget/{Uri.EscapeDataString(Id)}@{Uri.EscapeDataString(Version)}";
}
