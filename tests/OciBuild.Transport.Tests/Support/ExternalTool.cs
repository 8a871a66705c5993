using System.Diagnostics;

namespace OciBuild.Transport.Tests.Support;

/// <summary>The exit code and output of a finished process.</summary>
internal sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit code {ExitCode}; stdout: {StandardOutput}; stderr: {StandardError}";
}

/// <summary>Runs the command-line tools the tests compare against (skopeo, eng/registry.sh).</summary>
internal static class ExternalTool
{
    /// <summary>The repository's root folder: the nearest ancestor of the test binaries that holds OciBuildTasks.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string RegistryScript => Path.Combine(RepositoryRoot, "eng", "registry.sh");

    public static async Task<ToolResult> RunAsync(string fileName, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)
                            ?? throw new InvalidOperationException($"could not start {fileName}");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new ToolResult(process.ExitCode, await output, await error);
    }

    /// <summary>Runs a tool and returns its standard output, raising with the whole result when it fails.</summary>
    public static async Task<string> RunCheckedAsync(string fileName, params string[] arguments)
    {
        var result = await RunAsync(fileName, arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed: {result}");
        }

        return result.StandardOutput;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OciBuildTasks.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no folder above {AppContext.BaseDirectory} contains OciBuildTasks.sln");
    }
}
