namespace OciBuild.Tasks;

/// <summary>
/// Where a published file comes from. With the split layer strategy each kind gets its own layer,
/// ordered from the kind that changes least to the kind that changes most.
/// </summary>
public enum PublishFileKind
{
    /// <summary>The .NET runtime of a self-contained app, from a runtime pack.</summary>
    Runtime,

    /// <summary>Files from NuGet packages.</summary>
    Package,

    /// <summary>Files built by referenced projects.</summary>
    ProjectReference,

    /// <summary>The app's own files, and every file that no publish item describes.</summary>
    App,
}
