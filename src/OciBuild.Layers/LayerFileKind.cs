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

    /// <summary>
    /// A second name of the regular file at <see cref="LayerFile.LinkTarget"/>, which must be in the same
    /// layer and sort before this entry, because a tar reader links to an entry it has already read.
    /// </summary>
    HardLink,

    /// <summary>A character device node with <see cref="LayerFile.Device"/>; only root can create one when extracting.</summary>
    CharacterDevice,

    /// <summary>A block device node with <see cref="LayerFile.Device"/>; only root can create one when extracting.</summary>
    BlockDevice,

    /// <summary>A named pipe; its content is never read.</summary>
    Fifo,
}
