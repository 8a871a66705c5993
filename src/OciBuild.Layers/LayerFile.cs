namespace OciBuild.Layers;

/// <summary>
/// One file, directory or symlink to put into a layer.
/// </summary>
/// <param name="RelativePath">
/// Path inside the layer's destination directory, with forward slashes and without a leading slash,
/// such as <c>wwwroot/index.html</c>.
/// </param>
/// <param name="SourcePath">
/// Path on this machine that the content is read from. For a directory, symlink or whiteout only the kind matters:
/// a directory's contents come from their own entries, and a symlink's target from <paramref name="LinkTarget"/>.
/// </param>
/// <param name="Kind">What the entry becomes in the layer.</param>
/// <param name="LinkTarget">
/// The target stored for a <see cref="LayerFileKind.Symlink"/>, or for a <see cref="LayerFileKind.HardLink"/>
/// the <see cref="RelativePath"/> of the file it links to; null for other kinds.
/// </param>
public sealed record LayerFile(string RelativePath, string SourcePath, LayerFileKind Kind, string? LinkTarget = null)
{
    /// <summary>Owner, mode and time of this entry; null gives it the defaults of <see cref="LayerBuilder"/>.</summary>
    public LayerFileMetadata? Metadata { get; init; }

    /// <summary>The device number of a <see cref="LayerFileKind.CharacterDevice"/> or <see cref="LayerFileKind.BlockDevice"/>.</summary>
    public (int Major, int Minor) Device { get; init; }
}
