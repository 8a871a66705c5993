namespace OciBuild.IntegrationTests;

/// <summary>Paths inside this repository and its build output, found from the test assembly's location.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Artifacts => Path.Combine(Root, "artifacts");

    /// <summary>The CLI as eng/build.sh leaves it.</summary>
    public static string Ocibuild => Path.Combine(Artifacts, "ocibuild");

    public static string Packages => Path.Combine(Artifacts, "packages");

    public static string Script(string name) => Path.Combine(Root, "eng", name);

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
