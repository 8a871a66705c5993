using System.Reflection;
using System.Text.RegularExpressions;
using OciBuild.Core.Errors;

namespace OciBuild.Core.Tests;

/// <summary>Every error code that the code base raises has a row in docs/errors.md, which users look codes up in.</summary>
public sealed partial class ErrorCodesDocumentationTests
{
    private static readonly string Root = FindRoot();

    public static TheoryData<string> Constants()
    {
        var codes = new TheoryData<string>();
        foreach (var field in typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
        {
            codes.Add((string)field.GetRawConstantValue()!);
        }

        return codes;
    }

    [Theory]
    [MemberData(nameof(Constants))]
    public void Constant_has_errors_md_row(string code)
    {
        Assert.Matches(CodePattern(), code);
        Assert.Contains(code, DocumentedCodes());
    }

    [Fact]
    public void Constants_are_distinct()
    {
        var values = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.Equal(values.Count, values.Distinct().Count());
    }

    // MSBuild targets raise codes of their own with <Error Code="OCIB....">, outside ErrorCodes.
    [Fact]
    public void Every_code_in_src_has_errors_md_row()
    {
        var documented = DocumentedCodes();
        var files = Directory.EnumerateFiles(Path.Combine(Root, "src"), "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".targets", StringComparison.Ordinal) || f.EndsWith(".props", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        var used = files.SelectMany(f => CodePattern().Matches(File.ReadAllText(f)).Select(m => (Code: m.Value, File: Path.GetRelativePath(Root, f)))).ToList();

        Assert.NotEmpty(used);
        foreach (var (code, file) in used)
        {
            Assert.True(documented.Contains(code), $"{code}, used in {file}, has no row in docs/errors.md");
        }
    }

    private static HashSet<string> DocumentedCodes()
        => File.ReadLines(Path.Combine(Root, "docs", "errors.md"))
            .Select(line => RowPattern().Match(line))
            .Where(match => match.Success)
            .Select(match => match.Groups[1].Value)
            .ToHashSet();

    [GeneratedRegex("OCIB[0-9]{4}")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"^\| (OCIB[0-9]{4}) \|")]
    private static partial Regex RowPattern();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OciBuildTasks.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no OciBuildTasks.sln above {AppContext.BaseDirectory}");
    }
}
