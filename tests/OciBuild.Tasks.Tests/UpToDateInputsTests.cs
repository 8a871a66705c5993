using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace OciBuild.Tasks.Tests;

/// <summary>
/// The up-to-date check hashes the inputs of CreateOciImage in MSBuild. A parameter added to the task
/// but not to the hash would let a changed setting go unpublished, so this reads both targets files.
/// </summary>
public sealed partial class UpToDateInputsTests
{
    [Fact]
    public void Hash_covers_every_task_parameter()
    {
        var createImage = BuildFile("OciBuild.Tasks.targets").Descendants("CreateOciImage").Single();
        string check = BuildFile("OciBuild.Tasks.UpToDate.targets").Descendants("Target")
            .Single(t => (string?)t.Attribute("Name") == "_OciCheckImageUpToDate")
            .ToString();

        var missing = new List<string>();
        foreach (var parameter in createImage.Attributes().Where(a => a.Name != "Condition"))
        {
            foreach (Match reference in PropertyOrItemReference().Matches(parameter.Value))
            {
                string name = reference.Groups[2].Value;
                if (!check.Contains($"$({name})", StringComparison.Ordinal) && !check.Contains($"@({name}", StringComparison.Ordinal))
                {
                    missing.Add($"{parameter.Name} ({reference.Value})");
                }
            }
        }

        Assert.Empty(missing);
    }

    [Fact]
    public void Parameters_are_found()
    {
        var createImage = BuildFile("OciBuild.Tasks.targets").Descendants("CreateOciImage").Single();

        // Guards the test above against passing because it read nothing.
        Assert.Contains(createImage.Attributes(), a => a.Name == "BaseImage" && a.Value == "$(OciBaseImage)");
        Assert.True(createImage.Attributes().Count() > 30);
    }

    private static XDocument BuildFile(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OciBuildTasks.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        return XDocument.Load(Path.Combine(directory.FullName, "src", "OciBuild.Tasks", "build", name));
    }

    [GeneratedRegex(@"([$@])\((\w+)")]
    private static partial Regex PropertyOrItemReference();
}
