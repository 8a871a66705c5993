using OciBuild.Layers;
using OciBuild.Tasks;

namespace OciBuild.Tasks.Tests;

/// <summary>How the split strategy groups publish files into layers.</summary>
public sealed class LayerPlannerTests
{
    private static readonly LayerFile[] Files =
    [
        new("App", "/p/App", LayerFileKind.File),
        new("App.dll", "/p/App.dll", LayerFileKind.File),
        new("Lib.dll", "/p/Lib.dll", LayerFileKind.File),
        new("Newtonsoft.Json.dll", "/p/Newtonsoft.Json.dll", LayerFileKind.File),
        new("empty", "/p/empty", LayerFileKind.Directory),
        new("runtimes", "/p/runtimes", LayerFileKind.Directory),
        new("runtimes/linux-x64", "/p/runtimes/linux-x64", LayerFileKind.Directory),
        new("runtimes/linux-x64/native", "/p/runtimes/linux-x64/native", LayerFileKind.Directory),
        new("runtimes/linux-x64/native/libe_sqlite3.so", "/p/runtimes/linux-x64/native/libe_sqlite3.so", LayerFileKind.File),
        new("System.Private.CoreLib.dll", "/p/System.Private.CoreLib.dll", LayerFileKind.File),
    ];

    private static readonly Dictionary<string, PublishFileKind> Kinds = new()
    {
        ["App.dll"] = PublishFileKind.App,
        ["Lib.dll"] = PublishFileKind.ProjectReference,
        ["Newtonsoft.Json.dll"] = PublishFileKind.Package,
        ["runtimes/linux-x64/native/libe_sqlite3.so"] = PublishFileKind.Package,
        ["System.Private.CoreLib.dll"] = PublishFileKind.Runtime,
    };

    [Fact]
    public void Split_orders_layers_stable_first()
    {
        var layers = LayerPlanner.Plan(Files, Kinds, split: true);

        Assert.Equal([PublishFileKind.Runtime, PublishFileKind.Package, PublishFileKind.ProjectReference, PublishFileKind.App], layers.Select(l => l.Kind));
    }

    [Fact]
    public void Split_puts_each_file_once()
    {
        var layers = LayerPlanner.Plan(Files, Kinds, split: true);
        var files = layers.SelectMany(l => l.Files).Where(f => f.Kind == LayerFileKind.File).Select(f => f.RelativePath).ToList();

        Assert.Equal(Files.Where(f => f.Kind == LayerFileKind.File).Select(f => f.RelativePath).Order(StringComparer.Ordinal), files.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Split_layer_carries_parent_directories()
    {
        var packages = LayerPlanner.Plan(Files, Kinds, split: true).Single(l => l.Kind == PublishFileKind.Package);

        Assert.Equal(
            ["Newtonsoft.Json.dll", "runtimes", "runtimes/linux-x64", "runtimes/linux-x64/native", "runtimes/linux-x64/native/libe_sqlite3.so"],
            packages.Files.Select(f => f.RelativePath));
    }

    [Fact]
    public void Unlisted_files_and_empty_directories_are_app()
    {
        var app = LayerPlanner.Plan(Files, Kinds, split: true).Single(l => l.Kind == PublishFileKind.App);

        Assert.Equal(["App", "App.dll", "empty"], app.Files.Select(f => f.RelativePath));
    }

    [Fact]
    public void Single_keeps_everything_together()
    {
        var layers = LayerPlanner.Plan(Files, Kinds, split: false);

        var layer = Assert.Single(layers);
        Assert.Equal(Files, layer.Files);
    }

    [Theory]
    [InlineData("Microsoft.NETCore.App.Runtime.linux-x64", "", "", PublishFileKind.Runtime)]
    [InlineData("Microsoft.AspNetCore.App.Runtime.linux-musl-arm64", "", "", PublishFileKind.Runtime)]
    [InlineData("Newtonsoft.Json", "", "", PublishFileKind.Package)]
    [InlineData("", "ProjectReference", "", PublishFileKind.ProjectReference)]
    [InlineData("", "", "/src/Lib/Lib.csproj", PublishFileKind.ProjectReference)]
    [InlineData("", "", "", PublishFileKind.App)]
    public void Classify_reads_publish_metadata(string packageId, string referenceSourceTarget, string sourceProject, PublishFileKind expected)
    {
        Assert.Equal(expected, PublishFileClassifier.Classify(packageId, referenceSourceTarget, sourceProject));
    }

    [Theory]
    [InlineData(null, 0, 0)]
    [InlineData("1654", 1654, 1654)]
    [InlineData("1000:2000", 1000, 2000)]
    public void File_owner_parses_ids(string? owner, int userId, int groupId)
    {
        Assert.Equal((userId, groupId), CreateOciImage.ParseFileOwner(owner));
    }

    [Theory]
    [InlineData("app")]
    [InlineData("1:2:3")]
    [InlineData("-1")]
    [InlineData("1:x")]
    public void File_owner_rejects_names(string owner)
    {
        var error = Assert.Throws<OciBuild.Core.Errors.OciException>(() => CreateOciImage.ParseFileOwner(owner));

        Assert.Contains("OciFileOwner", error.Message);
    }
}
