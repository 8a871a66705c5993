using OciBuild.Core.Errors;

namespace OciBuild.Layers.Tests;

/// <summary>Whiteout and opaque directory entries, as the OCI image spec's layer.md defines them.</summary>
public sealed class WhiteoutTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _root;

    public WhiteoutTests()
    {
        _root = _temp.Combine("rootfs");
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Whiteout_removes_lower_paths()
    {
        await TestTar.ExtractAsync(
            TestTar.Create(
                TestTar.File("a/file", "lower"),
                TestTar.File("a/dir/x", "lower"),
                TestTar.File("a/dir/y/z", "lower"),
                TestTar.File("target", "lower"),
                TestTar.Symlink("a/link", "/target"),
                TestTar.File("a/keep", "lower")),
            _root);

        await TestTar.ExtractAsync(
            TestTar.Create(
                TestTar.File("a/.wh.file", ""),
                TestTar.File("a/.wh.dir", ""),
                TestTar.File("a/.wh.link", ""),
                TestTar.File(".wh.missing", "")),
            _root);

        Assert.Equal(["a", "a/keep", "target"], TestTar.ListTree(_root));
    }

    [Fact]
    public async Task Whiteout_keeps_same_layer_paths()
    {
        byte[] tar = TestTar.Create(TestTar.File("new", "this layer"), TestTar.File(".wh.new", ""));

        await TestTar.ExtractAsync(tar, _root);

        Assert.Equal(["new"], TestTar.ListTree(_root));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Opaque_directory_hides_lower_contents(bool markerFirst)
    {
        await TestTar.ExtractAsync(
            TestTar.Create(
                TestTar.File("d/old", "lower"),
                TestTar.File("d/sub/old2", "lower"),
                TestTar.File("d/gone/x", "lower"),
                TestTar.File("other/keep", "lower")),
            _root);

        var marker = TestTar.File("d/.wh..wh..opq", "");
        var added = new[] { TestTar.Directory("d"), TestTar.File("d/new", "upper"), TestTar.File("d/sub/new2", "upper") };
        byte[] tar = markerFirst ? TestTar.Create([marker, .. added]) : TestTar.Create([.. added, marker]);
        await TestTar.ExtractAsync(tar, _root);

        Assert.Equal(["d", "d/new", "d/sub", "d/sub/new2", "other", "other/keep"], TestTar.ListTree(_root));
    }

    [Fact]
    public async Task Opaque_marker_alone_empties_directory()
    {
        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("d/old", "lower"), TestTar.File("d/sub/x", "lower")), _root);

        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("d/.wh..wh..opq", "")), _root);

        Assert.Equal(["d"], TestTar.ListTree(_root));
    }

    [Fact]
    public async Task Whiteouts_never_reach_rootfs()
    {
        byte[] tar = TestTar.Create(
            TestTar.File(".wh.a", ""),
            TestTar.File("dir/.wh..wh..opq", ""),
            TestTar.File("dir/.wh.b", ""),
            TestTar.File("dir/file", "kept"));

        await TestTar.ExtractAsync(tar, _root);

        Assert.Equal(["dir", "dir/file"], TestTar.ListTree(_root));
    }

    [Theory]
    [InlineData(".wh.")]
    [InlineData("d/.wh..")]
    [InlineData(".wh.d/file")]
    public async Task Invalid_whiteout_names_are_rejected(string name)
    {
        byte[] tar = TestTar.Create(TestTar.File(name, ""));

        var error = await Assert.ThrowsAsync<OciException>(() => TestTar.ExtractAsync(tar, _root));

        Assert.Equal(ErrorCodes.LayerInvalid, error.Code);
        Assert.Contains($"\"{name}\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Whiteout_under_missing_directory_creates_nothing()
    {
        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("kept", "lower")), _root);

        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("absent/deeper/.wh.x", ""), TestTar.File("absent2/.wh..wh..opq", "")), _root);

        Assert.Equal(["kept"], TestTar.ListTree(_root));
    }

    [Fact]
    public async Task Whiteout_then_new_file_keeps_new_file()
    {
        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("etc/conf/old", "lower"), TestTar.File("etc/conf/also", "lower")), _root);

        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("etc/.wh.conf", ""), TestTar.File("etc/conf", "now a file")), _root);

        Assert.Equal(["etc", "etc/conf"], TestTar.ListTree(_root));
        Assert.Equal("now a file", File.ReadAllText(Path.Combine(_root, "etc/conf")));
    }

    [Fact]
    public async Task Whiteout_of_hard_link_keeps_other_name()
    {
        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("bin/tool", "shared"), TestTar.HardLink("bin/alias", "bin/tool")), _root);

        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("bin/.wh.alias", "")), _root);

        Assert.Equal(["bin", "bin/tool"], TestTar.ListTree(_root));
        Assert.Equal("shared", File.ReadAllText(Path.Combine(_root, "bin/tool")));
        Assert.Equal("1", StatCommand.Query(Path.Combine(_root, "bin/tool"), "%h"));
    }

    [Fact]
    public async Task Whiteout_entry_of_directory_type_is_applied()
    {
        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("cache/x", "lower")), _root);

        await TestTar.ExtractAsync(TestTar.Create(TestTar.Directory(".wh.cache")), _root);

        Assert.Empty(TestTar.ListTree(_root));
    }

    [Fact]
    public async Task Opaque_directory_through_symlink_stays_in_root()
    {
        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("real/old", "lower"), TestTar.Symlink("alias", "/real")), _root);

        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("alias/.wh..wh..opq", ""), TestTar.File("alias/new", "upper")), _root);

        Assert.Equal(["alias", "real", "real/new"], TestTar.ListTree(_root));
    }
}
