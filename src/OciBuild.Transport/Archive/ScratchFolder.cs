namespace OciBuild.Transport.Archive;

/// <summary>A new folder under the system's temp folder for unpacking or staging an archive, deleted on dispose.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public ScratchFolder(string purpose)
    {
        Path = Directory.CreateTempSubdirectory($"ocibuild-{purpose}-").FullName;
    }

    public string Path { get; }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
