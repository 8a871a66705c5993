using System.Text.RegularExpressions;

namespace OciBuild.IntegrationTests;

/// <summary>Reads what a <c>dotnet publish</c> of an image printed.</summary>
public static partial class PublishOutput
{
    /// <summary>Returns the digest from the "Pushed image REFERENCE (DIGEST)" line that the task prints at minimal verbosity.</summary>
    public static string ManifestDigest(ProcessResult publish)
    {
        var match = PushedLine().Match(publish.StandardOutput);
        Assert.True(match.Success, $"no \"Pushed image\" line in the output: {publish}");
        return match.Groups[1].Value;
    }

    [GeneratedRegex(@"Pushed image \S+ \((sha256:[0-9a-f]{64})\)")]
    private static partial Regex PushedLine();
}
