namespace OciBuild.Layers.Tests;

public sealed class LayerFileSetTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void FromDirectory_lists_sorted_entries()
    {
        _temp.WriteFile("src/b.txt", "b");
        _temp.WriteFile("src/a/z.txt", "z");
        _temp.WriteFile("src/.hidden", "h");
        _temp.WriteFile("src/B.txt", "B");
        Directory.CreateDirectory(_temp.Combine("src/empty"));

        var files = LayerFileSet.FromDirectory(_temp.Combine("src"));

        Assert.Equal([".hidden", "B.txt", "a", "a/z.txt", "b.txt", "empty"], files.Select(f => f.RelativePath));
        Assert.Equal(LayerFileKind.Directory, files.Single(f => f.RelativePath == "a").Kind);
        Assert.Equal(LayerFileKind.Directory, files.Single(f => f.RelativePath == "empty").Kind);
        Assert.Equal(LayerFileKind.File, files.Single(f => f.RelativePath == "a/z.txt").Kind);
        Assert.Equal(_temp.Combine("src/a/z.txt"), files.Single(f => f.RelativePath == "a/z.txt").SourcePath);
        Assert.All(files, f => Assert.Null(f.LinkTarget));
    }

    [Fact]
    public void FromDirectory_keeps_symlinks_as_links()
    {
        _temp.WriteFile("outside/secret.txt", "secret");
        _temp.WriteFile("src/real.txt", "real");
        Directory.CreateSymbolicLink(_temp.Combine("src/dir-link"), _temp.Combine("outside"));
        File.CreateSymbolicLink(_temp.Combine("src/file-link"), "real.txt");
        File.CreateSymbolicLink(_temp.Combine("src/broken-link"), "missing/target");

        var files = LayerFileSet.FromDirectory(_temp.Combine("src"));

        Assert.Equal(["broken-link", "dir-link", "file-link", "real.txt"], files.Select(f => f.RelativePath));
        var directoryLink = files.Single(f => f.RelativePath == "dir-link");
        Assert.Equal(LayerFileKind.Symlink, directoryLink.Kind);
        Assert.Equal(_temp.Combine("outside"), directoryLink.LinkTarget);
        Assert.Equal("real.txt", files.Single(f => f.RelativePath == "file-link").LinkTarget);
        Assert.Equal("missing/target", files.Single(f => f.RelativePath == "broken-link").LinkTarget);
    }

    [Fact]
    public void FromDirectory_rejects_missing_directory()
    {
        string missing = _temp.Combine("missing");

        var error = Assert.Throws<DirectoryNotFoundException>(() => LayerFileSet.FromDirectory(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
