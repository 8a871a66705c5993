namespace OciBuild.Layers;

/// <summary>The kind of file system object a <see cref="LayerFile"/> becomes in a layer.</summary>
public enum LayerFileKind
{
    Directory,
    File,

    /// <summary>A symbolic link, stored as a link with <see cref="LayerFile.LinkTarget"/> and never followed.</summary>
    Symlink,
}
