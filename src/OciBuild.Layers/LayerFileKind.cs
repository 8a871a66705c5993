namespace OciBuild.Layers;

/// <summary>The kind of file system object a <see cref="LayerFile"/> becomes in a layer.</summary>
public enum LayerFileKind
{
    Directory,
    File,

    /// <summary>A symbolic link, stored as a link with <see cref="LayerFile.LinkTarget"/> and never followed.</summary>
    Symlink,

    /// <summary>
    /// Hides the path <see cref="LayerFile.RelativePath"/> of lower layers. Written as an empty file
    /// named <c>.wh.NAME</c> in the same directory, as the OCI image spec's layer.md defines whiteouts.
    /// </summary>
    Whiteout,

    /// <summary>
    /// Hides everything lower layers put into the directory <see cref="LayerFile.RelativePath"/>.
    /// Written as the empty file <c>.wh..wh..opq</c> inside that directory (an opaque whiteout).
    /// </summary>
    OpaqueWhiteout,
}
