namespace OciBuild.Storage;

/// <summary>The kinds of damage that <see cref="StoreChecker"/> finds in a local store.</summary>
public enum StoreProblemKind
{
    /// <summary>A temporary file or folder that an interrupted blob, index or layer write, or layer cache extraction, left behind.</summary>
    PartialFile,

    /// <summary>A blob whose content does not hash to the digest it is stored under.</summary>
    CorruptBlob,

    /// <summary>A file in the blob folder whose name is not a sha256 digest.</summary>
    UnknownFile,

    /// <summary>An index entry whose manifest, config or layers are missing or damaged.</summary>
    DanglingImage,

    /// <summary>A working container record whose folder is missing.</summary>
    ContainerWithoutFolder,

    /// <summary>A container folder that no record lists.</summary>
    FolderWithoutContainer,
}
