using System.IO.Compression;
using System.Reflection.PortableExecutable;

namespace OciBuild.IntegrationTests;

/// <summary>The task assemblies inside the OciBuild.Tasks package that eng/build.sh packs.</summary>
public sealed class TaskPackageTests
{
    private static readonly string PackagePath = Path.Combine(RepositoryPaths.Packages, "OciBuild.Tasks.0.1.0.nupkg");

    [Fact]
    public void Net10_assemblies_are_ready_to_run()
    {
        var assemblies = ReadTaskAssemblies("net10.0");

        Assert.Contains("OciBuild.Tasks.dll", assemblies.Keys);
        Assert.Contains("Polly.Core.dll", assemblies.Keys);
        foreach (var (name, headers) in assemblies)
        {
            Assert.True(headers.CorHeader is not null, $"{name} has no CLI header, so it carries no IL for other platforms");
            Assert.True(headers.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, $"{name} in tasks/net10.0 has no ReadyToRun code");
        }
    }

    [Fact]
    public void Net8_assemblies_stay_il_only()
    {
        var assemblies = ReadTaskAssemblies("net8.0");

        Assert.Contains("OciBuild.Tasks.dll", assemblies.Keys);
        foreach (var (name, headers) in assemblies.Where(a => a.Key.StartsWith("OciBuild.", StringComparison.Ordinal)))
        {
            Assert.True(headers.CorHeader!.ManagedNativeHeaderDirectory.Size == 0, $"{name} in tasks/net8.0 unexpectedly has ReadyToRun code");
        }
    }

    private static Dictionary<string, PEHeaders> ReadTaskAssemblies(string targetFramework)
    {
        string prefix = $"tasks/{targetFramework}/";
        var result = new Dictionary<string, PEHeaders>(StringComparer.Ordinal);
        using var package = ZipFile.OpenRead(PackagePath);
        foreach (var entry in package.Entries.Where(e => e.FullName.StartsWith(prefix, StringComparison.Ordinal) && e.Name.EndsWith(".dll", StringComparison.Ordinal)))
        {
            using var buffer = new MemoryStream();
            using (var stream = entry.Open())
            {
                stream.CopyTo(buffer);
            }

            buffer.Position = 0;
            using var reader = new PEReader(buffer);
            result[entry.Name] = reader.PEHeaders;
        }

        return result;
    }
}
