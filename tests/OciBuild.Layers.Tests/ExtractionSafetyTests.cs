using OciBuild.Core.Errors;

namespace OciBuild.Layers.Tests;

/// <summary>
/// Hostile layers: entries that would escape the rootfs are rejected or land inside it as if the root
/// were <c>/</c>, and each test checks that the host paths the layer aims at are unchanged.
/// </summary>
public sealed class ExtractionSafetyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    // The rootfs sits three levels below the temp directory, so that "../../.." from it stays inside
    // the temp directory, where the test can see whether anything landed.
    private readonly string _root;

    // A directory outside the rootfs that hostile links point at.
    private readonly string _outside;

    public ExtractionSafetyTests()
    {
        _root = _temp.Combine("a/b/rootfs");
        Directory.CreateDirectory(_root);
        _outside = _temp.Combine("outside-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_outside);
    }

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("../escape")]
    [InlineData("ok/../../escape")]
    [InlineData("/../escape")]
    public async Task Extract_rejects_parent_climbing_name(string name)
    {
        byte[] tar = TestTar.Create(TestTar.File(name, "escaped"));

        var error = await Assert.ThrowsAsync<OciException>(() => TestTar.ExtractAsync(tar, _root));

        Assert.Equal(ErrorCodes.LayerUnsafe, error.Code);
        Assert.Contains("layer test-layer", error.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{name}\"", error.Message, StringComparison.Ordinal);
        AssertNothingOutsideRoot();
    }

    [Fact]
    public async Task Extract_allows_parent_within_root()
    {
        byte[] tar = TestTar.Create(TestTar.File("a/../b", "inside"));

        await TestTar.ExtractAsync(tar, _root);

        Assert.Equal("inside", File.ReadAllText(Path.Combine(_root, "b")));
    }

    [Fact]
    public async Task Absolute_symlink_is_followed_inside_root()
    {
        byte[] tar = TestTar.Create(TestTar.Symlink("evil", _outside), TestTar.File("evil/file", "redirected"));

        await TestTar.ExtractAsync(tar, _root);

        Assert.Empty(Directory.EnumerateFileSystemEntries(_outside));
        Assert.Equal("redirected", File.ReadAllText(Path.Combine(_root, _outside.TrimStart('/'), "file")));
        AssertNothingOutsideRoot();
    }

    [Fact]
    public async Task Relative_symlink_climb_stops_at_root()
    {
        byte[] tar = TestTar.Create(TestTar.Symlink("evil", "../../.."), TestTar.File("evil/file", "clamped"));

        await TestTar.ExtractAsync(tar, _root);

        Assert.Equal("clamped", File.ReadAllText(Path.Combine(_root, "file")));
        Assert.False(File.Exists(_temp.Combine("file")));
        AssertNothingOutsideRoot();
    }

    [Fact]
    public async Task Swapped_in_symlink_stays_in_root()
    {
        byte[] tar = TestTar.Create(
            TestTar.Directory("dir"),
            TestTar.File("dir/first", "first"),
            TestTar.Symlink("dir", _outside),
            TestTar.File("dir/second", "second"));

        await TestTar.ExtractAsync(tar, _root);

        Assert.Empty(Directory.EnumerateFileSystemEntries(_outside));
        Assert.Equal(_outside, new FileInfo(Path.Combine(_root, "dir")).LinkTarget);
        Assert.Equal("second", File.ReadAllText(Path.Combine(_root, _outside.TrimStart('/'), "second")));
        AssertNothingOutsideRoot();
    }

    [Fact]
    public async Task Usr_lib_symlink_writes_into_root()
    {
        string name = "x-" + Guid.NewGuid().ToString("N");
        await TestTar.ExtractAsync(TestTar.Create(TestTar.Directory("usr/lib"), TestTar.Symlink("lib", "/usr/lib")), _root);

        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("lib/" + name, "library")), _root);

        Assert.Equal("library", File.ReadAllText(Path.Combine(_root, "usr/lib", name)));
        Assert.False(File.Exists(Path.Combine("/usr/lib", name)));
        Assert.Equal("/usr/lib", new FileInfo(Path.Combine(_root, "lib")).LinkTarget);
    }

    [Fact]
    public async Task Hard_link_to_host_file_is_rejected()
    {
        string before = StatCommand.Query("/etc/passwd", "%h");
        byte[] tar = TestTar.Create(TestTar.HardLink("evil", "/etc/passwd"));

        var error = await Assert.ThrowsAsync<OciException>(() => TestTar.ExtractAsync(tar, _root));

        // "/etc/passwd" means the rootfs's own file, and this rootfs has none.
        Assert.Equal(ErrorCodes.LayerInvalid, error.Code);
        Assert.Contains("\"/etc/passwd\" does not exist in the rootfs", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "evil")));
        Assert.Equal(before, StatCommand.Query("/etc/passwd", "%h"));
    }

    [Fact]
    public async Task Hard_link_to_absolute_path_uses_rootfs_file()
    {
        string before = StatCommand.Query("/etc/passwd", "%h");
        byte[] tar = TestTar.Create(TestTar.File("etc/passwd", "root:x:0:0::/root:/bin/sh\n"), TestTar.HardLink("evil", "/etc/passwd"));

        await TestTar.ExtractAsync(tar, _root);

        Assert.Equal(StatCommand.Query(Path.Combine(_root, "etc/passwd"), "%i"), StatCommand.Query(Path.Combine(_root, "evil"), "%i"));
        Assert.Equal(before, StatCommand.Query("/etc/passwd", "%h"));
    }

    [Fact]
    public async Task Hard_link_climbing_above_root_is_unsafe()
    {
        string victim = Path.Combine(_outside, "victim");
        File.WriteAllText(victim, "outside");
        string relativeVictim = Path.GetRelativePath(_root, victim);
        byte[] tar = TestTar.Create(TestTar.HardLink("evil", relativeVictim));

        var error = await Assert.ThrowsAsync<OciException>(() => TestTar.ExtractAsync(tar, _root));

        Assert.Equal(ErrorCodes.LayerUnsafe, error.Code);
        Assert.Contains("\"evil\"", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "evil")));
        Assert.Equal("1", StatCommand.Query(victim, "%h"));
    }

    [Fact]
    public async Task Hard_link_through_symlink_stays_in_root()
    {
        string victim = Path.Combine(_outside, "victim");
        File.WriteAllText(victim, "outside");
        byte[] tar = TestTar.Create(TestTar.Symlink("evil-dir", _outside), TestTar.HardLink("evil", "evil-dir/victim"));

        var error = await Assert.ThrowsAsync<OciException>(() => TestTar.ExtractAsync(tar, _root));

        Assert.Equal(ErrorCodes.LayerInvalid, error.Code);
        Assert.Equal("1", StatCommand.Query(victim, "%h"));
    }

    [Fact]
    public async Task File_over_outside_symlink_replaces_link()
    {
        string victim = Path.Combine(_outside, "victim");
        File.WriteAllText(victim, "original");

        // A naive extractor opens "f" for writing and follows the host symlink to the victim.
        File.CreateSymbolicLink(Path.Combine(_root, "f"), victim);
        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("f", "overwritten")), _root);

        Assert.Equal("original", File.ReadAllText(victim));
        Assert.Null(new FileInfo(Path.Combine(_root, "f")).LinkTarget);
        Assert.Equal("overwritten", File.ReadAllText(Path.Combine(_root, "f")));
    }

    [Fact]
    public async Task File_over_hard_link_replaces_link()
    {
        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("etc/shadow", "secret"), TestTar.HardLink("alias", "etc/shadow")), _root);

        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("alias", "overwritten")), _root);

        Assert.Equal("secret", File.ReadAllText(Path.Combine(_root, "etc/shadow")));
        Assert.Equal("overwritten", File.ReadAllText(Path.Combine(_root, "alias")));
    }

    [Fact]
    public async Task Symlink_loop_is_rejected()
    {
        byte[] tar = TestTar.Create(TestTar.Symlink("a", "b"), TestTar.Symlink("b", "a"), TestTar.File("a/x", "loop"));

        var error = await Assert.ThrowsAsync<OciException>(() => TestTar.ExtractAsync(tar, _root));

        Assert.Equal(ErrorCodes.LayerInvalid, error.Code);
        Assert.Contains("symlink loop", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Whiteout_through_symlink_stays_in_root()
    {
        string victim = Path.Combine(_outside, "victim");
        File.WriteAllText(victim, "outside");
        await TestTar.ExtractAsync(TestTar.Create(TestTar.Symlink("evil", _outside)), _root);

        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("evil/.wh.victim", ""), TestTar.File("evil/.wh..wh..opq", "")), _root);

        Assert.True(File.Exists(victim));
    }

    [Fact]
    public async Task Removing_directory_keeps_symlink_targets()
    {
        string victim = Path.Combine(_outside, "victim");
        File.WriteAllText(victim, "outside");
        await TestTar.ExtractAsync(TestTar.Create(TestTar.Symlink("d/sub/link", _outside), TestTar.Symlink("e/link", _outside)), _root);

        // Host symlinks inside the rootfs are unlinked, never descended into.
        File.CreateSymbolicLink(Path.Combine(_root, "d/sub/host-link"), _outside);
        File.CreateSymbolicLink(Path.Combine(_root, "e/host-link"), _outside);
        await TestTar.ExtractAsync(TestTar.Create(TestTar.File(".wh.d", ""), TestTar.File("e/.wh..wh..opq", ""), TestTar.File("f", "replaces nothing")), _root);

        Assert.Equal("outside", File.ReadAllText(victim));
        Assert.False(Directory.Exists(Path.Combine(_root, "d")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root, "e")));
    }

    // Everything the test wrote outside the rootfs is the rootfs's parents and the outside directory.
    private void AssertNothingOutsideRoot()
    {
        Assert.Empty(Directory.EnumerateFileSystemEntries(_outside));
        Assert.Equal(["a", "a/b", "a/b/rootfs", Path.GetFileName(_outside)], TestTar.ListTree(_temp.Path).Where(p => !p.StartsWith("a/b/rootfs/", StringComparison.Ordinal)));
    }
}
