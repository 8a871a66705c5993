namespace OciBuild.Tasks.Sbom;

/// <summary>Where the SBOM's package list comes from: the project's restore result and the target it was published for.</summary>
/// <param name="AssetsFile">The project's obj/project.assets.json (<c>$(ProjectAssetsFile)</c>).</param>
/// <param name="TargetFramework">The published target framework, such as <c>net10.0</c>.</param>
/// <param name="RuntimeIdentifier">The published runtime identifier, or null for a framework-dependent, RID-less publish.</param>
public sealed record SbomRequest(string AssetsFile, string? TargetFramework, string? RuntimeIdentifier);
