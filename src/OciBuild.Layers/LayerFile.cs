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
/// <param name="LinkTarget">The target stored for a <see cref="LayerFileKind.Symlink"/>; null for other kinds.</param>
public sealed record LayerFile(string RelativePath, string SourcePath, LayerFileKind Kind, string? LinkTarget = null);
