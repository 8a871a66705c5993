using System.Diagnostics;

namespace OciBuild.Layers.Tests;

/// <summary>Runs coreutils <c>stat</c>, which reports owner, inode, link count and device numbers that .NET does not expose.</summary>
internal static class StatCommand
{
    /// <summary>Returns <c>stat -c FORMAT PATH</c> for the path itself, not a symlink's target.</summary>
    public static string Query(string path, string format)
    {
        var start = new ProcessStartInfo("stat") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(format);
        start.ArgumentList.Add(path);

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"stat -c '{format}' {path} failed with exit code {process.ExitCode}: {errors.Result}");
        }

        return output.TrimEnd('\n');
    }
}
