using System.Diagnostics;
using System.Text;

namespace OciBuild.Layers.Tests;

/// <summary>Names that do not fit a ustar header, read back by System.Formats.Tar and by GNU tar.</summary>
public sealed class LongNameTests : IDisposable
{
    // 150 bytes without a slash: too long for the name field and nothing to split into the prefix.
    private static readonly string LongFileName = new string('f', 146) + ".txt";

    // 180 bytes with slashes: fits ustar by splitting into prefix and name.
    private static readonly string SplittableName = new string('d', 90) + "/" + new string('e', 84) + ".txt";

    // Over 255 bytes: longer than prefix and name together.
    private static readonly string VeryLongName = string.Join('/', Enumerable.Range(0, 5).Select(i => new string((char)('p' + i), 60))) + "/end.txt";

    private static readonly string LongLinkTarget = "../" + new string('t', 120);

    private const string UnicodeName = "grüße/日本語.txt";

    private readonly TempDirectory _temp = new();

    public LongNameTests()
    {
        _temp.WriteFile("src/" + LongFileName, "long file");
        _temp.WriteFile("src/" + SplittableName, "splittable");
        _temp.WriteFile("src/" + VeryLongName, "very long");
        _temp.WriteFile("src/" + UnicodeName, "unicode");
        File.CreateSymbolicLink(_temp.Combine("src/long-link"), LongLinkTarget);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task TarReader_reads_long_names()
    {
        var (_, bytes) = await LayerBuilderTests.BuildAsync(LayerFileSet.FromDirectory(_temp.Combine("src")), new LayerOptions());
        var entries = LayerBuilderTests.ReadEntries(bytes).ToDictionary(e => e.Name);

        Assert.Contains("app/" + LongFileName, entries.Keys);
        Assert.Contains("app/" + SplittableName, entries.Keys);
        Assert.Contains("app/" + VeryLongName, entries.Keys);
        Assert.Contains("app/" + UnicodeName, entries.Keys);
        Assert.Equal(LongLinkTarget, entries["app/long-link"].LinkName);
        Assert.Equal("very long", ReadText(entries["app/" + VeryLongName]));
    }

    [Fact]
    public async Task Pax_headers_only_where_needed()
    {
        var (_, bytes) = await LayerBuilderTests.BuildAsync(LayerFileSet.FromDirectory(_temp.Combine("src")), new LayerOptions());
        var headers = ReadRawHeaders(TestTar.Gunzip(bytes));
        var paxHeaderNames = headers.Where(h => h.TypeFlag == 'x').Select(h => h.Name).ToList();

        // The splittable name and the first three directories of the very long name fit prefix and name.
        // PAX header names keep ASCII, put '_' for each byte of other UTF-8 characters and end at 100 bytes.
        string[] expected =
        [
            ("PaxHeaders/" + LongFileName)[..100],
            "PaxHeaders/gr____e",
            "PaxHeaders/_________.txt",
            "PaxHeaders/long-link",
            "PaxHeaders/" + new string('s', 60),
            "PaxHeaders/" + new string('t', 60),
            "PaxHeaders/end.txt",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), paxHeaderNames.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(headers, h => h.TypeFlag == 'g');
    }

    [Fact]
    public async Task Pax_records_large_owner_ids()
    {
        var options = new LayerOptions { UserId = 3_000_000, GroupId = 4_000_000 };

        var (_, bytes) = await LayerBuilderTests.BuildAsync(LayerFileSet.FromDirectory(_temp.Combine("src")), options);
        var entries = LayerBuilderTests.ReadEntries(bytes);

        Assert.All(entries, e => Assert.Equal(3_000_000, e.Uid));
        Assert.All(entries, e => Assert.Equal(4_000_000, e.Gid));
    }

    [Fact]
    public async Task Gnu_tar_lists_long_names()
    {
        var (_, bytes) = await LayerBuilderTests.BuildAsync(LayerFileSet.FromDirectory(_temp.Combine("src")), new LayerOptions());
        string layer = _temp.Combine("layer.tar.gz");
        await File.WriteAllBytesAsync(layer, bytes);

        var (exitCode, output, errors) = RunTar("-tzvf", layer);

        Assert.Equal(0, exitCode);
        Assert.Equal("", errors);
        Assert.Contains(" app/" + LongFileName + "\n", output, StringComparison.Ordinal);
        Assert.Contains(" app/" + SplittableName + "\n", output, StringComparison.Ordinal);
        Assert.Contains(" app/" + VeryLongName + "\n", output, StringComparison.Ordinal);
        Assert.Contains(" app/" + UnicodeName + "\n", output, StringComparison.Ordinal);
        Assert.Contains(" app/long-link -> " + LongLinkTarget + "\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("PaxHeaders", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gnu_tar_extracts_long_names()
    {
        var (_, bytes) = await LayerBuilderTests.BuildAsync(LayerFileSet.FromDirectory(_temp.Combine("src")), new LayerOptions());
        string layer = _temp.Combine("layer.tar.gz");
        await File.WriteAllBytesAsync(layer, bytes);
        Directory.CreateDirectory(_temp.Combine("out"));

        var (exitCode, _, errors) = RunTar("-xzf", layer, "-C", _temp.Combine("out"));

        Assert.Equal(0, exitCode);
        Assert.Equal("", errors);
        Assert.Equal("long file", File.ReadAllText(_temp.Combine("out/app/" + LongFileName)));
        Assert.Equal("very long", File.ReadAllText(_temp.Combine("out/app/" + VeryLongName)));
        Assert.Equal("unicode", File.ReadAllText(_temp.Combine("out/app/" + UnicodeName)));
        Assert.Equal(LongLinkTarget, new FileInfo(_temp.Combine("out/app/long-link")).LinkTarget);
    }

    private static string ReadText(System.Formats.Tar.TarEntry entry)
    {
        using var reader = new StreamReader(entry.DataStream!);
        return reader.ReadToEnd();
    }

    private static (int ExitCode, string Output, string Errors) RunTar(params string[] arguments)
    {
        var start = new ProcessStartInfo("tar")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // GNU tar prints non-ASCII names as octal escapes unless the locale is UTF-8.
        start.Environment["LC_ALL"] = "C.UTF-8";
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, errors.Result);
    }

    /// <summary>Walks the 512-byte headers of a tar stream without interpreting PAX records.</summary>
    private static List<(string Name, char TypeFlag)> ReadRawHeaders(byte[] tar)
    {
        var headers = new List<(string, char)>();
        int offset = 0;
        while (offset + 512 <= tar.Length && tar[offset] != 0)
        {
            string name = Encoding.UTF8.GetString(tar, offset, 100).TrimEnd('\0');
            long size = Convert.ToInt64(Encoding.ASCII.GetString(tar, offset + 124, 11), 8);
            headers.Add((name, (char)tar[offset + 156]));
            offset += 512 + (int)((size + 511) / 512 * 512);
        }

        return headers;
    }
}
