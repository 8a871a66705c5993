using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OciBuild.Core;

namespace OciBuild.Layers.Tests;

/// <summary>Random file trees built by <see cref="LayerBuilder"/> and extracted by <see cref="LayerExtractor"/> come back unchanged.</summary>
public class LayerRoundTripProperties
{
    private const UnixFileMode Mode0644 = (UnixFileMode)0b110_100_100;
    private const UnixFileMode Mode0755 = (UnixFileMode)0b111_101_101;

    // File name characters: ASCII, spaces, shell and tar specials, and multi-byte UTF-8. LayerBuilder
    // rejects a backslash in a path, which Windows would read as a separator, so none is generated.
    private const string NameAlphabet = "abcXYZ019 ._-=+@#%'\":;,ü日é";

    /// <summary>One file system object to create: a file with content and execute bit, a symlink, or an empty directory.</summary>
    public sealed record TreeEntry(string Path, string Kind, byte[] Content, bool Executable, string LinkTarget);

    [Property(MaxTest = 40)]
    public Property Built_tree_extracts_unchanged() => Prop.ForAll(Tree().ToArbitrary(), entries =>
    {
        using var temp = new TempDirectory();
        string source = temp.Combine("src");
        string root = temp.Combine("rootfs");
        Directory.CreateDirectory(source);
        Create(source, entries);

        var output = new MemoryStream();
        var layer = LayerBuilder.BuildAsync(LayerFileSet.FromDirectory(source), new LayerOptions(), output, CancellationToken.None).GetAwaiter().GetResult();
        var diffId = LayerExtractor.ExtractAsync(new MemoryStream(output.ToArray()), layer.MediaType, root, "generated", CancellationToken.None).GetAwaiter().GetResult();

        string app = Path.Combine(root, "app");
        Assert.Equal(layer.DiffId, diffId);
        Assert.Equal(TestTar.ListTree(source), TestTar.ListTree(app));
        foreach (var entry in entries)
        {
            string extracted = Path.Combine(app, entry.Path);
            switch (entry.Kind)
            {
                case "file":
                    Assert.Equal(entry.Content, File.ReadAllBytes(extracted));
                    Assert.Equal(entry.Executable ? Mode0755 : Mode0644, File.GetUnixFileMode(extracted));
                    break;
                case "symlink":
                    Assert.Equal(entry.LinkTarget, new FileInfo(extracted).LinkTarget);
                    break;
                default:
                    Assert.Equal(Mode0755, File.GetUnixFileMode(extracted));
                    break;
            }
        }
    });

    private static void Create(string source, IEnumerable<TreeEntry> entries)
    {
        foreach (var entry in entries)
        {
            string path = Path.Combine(source, entry.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            switch (entry.Kind)
            {
                case "file":
                    File.WriteAllBytes(path, entry.Content);
                    File.SetUnixFileMode(path, entry.Executable ? (UnixFileMode)0b111_000_000 : (UnixFileMode)0b110_000_000);
                    break;
                case "symlink":
                    File.CreateSymbolicLink(path, entry.LinkTarget);
                    break;
                default:
                    Directory.CreateDirectory(path);
                    break;
            }
        }
    }

    private static Gen<string> StringOf(string alphabet, int minLength, int maxLength)
        => from length in Gen.Choose(minLength, maxLength)
           from chars in Gen.ArrayOf(Gen.Elements(alphabet.ToCharArray()), length)
           select new string(chars);

    // Some names are 60 to 80 characters long, so that deeper paths need PAX records. Even in
    // three-byte UTF-8 characters they stay under the 255-byte name limit of ext4 and tmpfs.
    private static Gen<string> Name()
        => Gen.OneOf(StringOf(NameAlphabet, 1, 12), StringOf(NameAlphabet, 60, 80))
              .Where(n => n is not "." and not ".." && !n.StartsWith(".wh.", StringComparison.Ordinal));

    private static Gen<TreeEntry> Entry()
    {
        // Directory names end in "d" and other names in "f", so that no path is both a file and a parent.
        var path = from depth in Gen.Choose(0, 3)
                   from directories in Gen.ListOf(Name().Select(n => n + "d"), depth)
                   from name in Name()
                   select string.Join('/', directories.Append(name + "f"));
        var file = from p in path
                   from size in Gen.OneOf(Gen.Choose(0, 600), Gen.Choose(0, 70_000))
                   from content in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), size)
                   from executable in Gen.Elements(true, false)
                   select new TreeEntry(p, "file", content, executable, "");
        var symlink = from p in path
                      from target in Gen.OneOf(StringOf(NameAlphabet + "/", 1, 40), StringOf(NameAlphabet + "/", 120, 200))
                      select new TreeEntry(p, "symlink", [], false, target);
        var directory = path.Select(p => new TreeEntry(p, "directory", [], false, ""));
        return Gen.Frequency((6, file), (2, symlink), (1, directory));
    }

    private static Gen<TreeEntry[]> Tree()
        => from count in Gen.Choose(1, 12)
           from entries in Gen.ListOf(Entry(), count)
           select entries.DistinctBy(e => e.Path).ToArray();
}
