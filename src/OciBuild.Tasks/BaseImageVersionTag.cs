namespace OciBuild.Tasks;

/// <summary>
/// The version part of an inferred base image tag. Microsoft publishes the images of a .NET release in
/// preview under tags such as <c>10.0.0-preview.7</c> and <c>10.0.0-rc.1</c>, so an SDK in preview
/// requests the preview tag of its own release, as the .NET SDK does.
/// </summary>
public static class BaseImageVersionTag
{
    /// <summary>Returns the tag's version part for a target framework built with an SDK.</summary>
    /// <param name="targetFrameworkVersion">The target framework's major.minor, such as <c>10.0</c>.</param>
    /// <param name="sdkVersion">The SDK's version (<c>NETCoreSdkVersion</c>), such as <c>10.0.100-rc.1.25451.107</c>.</param>
    public static string For(string targetFrameworkVersion, string? sdkVersion)
    {
        if (string.IsNullOrWhiteSpace(sdkVersion))
        {
            return targetFrameworkVersion;
        }

        string[] parts = sdkVersion.Trim().Split('-', 2);
        if (parts.Length < 2 || !Version.TryParse(parts[0], out var sdk) || !Version.TryParse(targetFrameworkVersion, out var framework))
        {
            return targetFrameworkVersion;
        }

        // Only the first feature band (1xx) of a release in preview targets that release's preview images.
        // An older target framework has stable images already.
        bool previewOfThisFramework = sdk.Major == framework.Major && sdk.Minor == framework.Minor && sdk.Build / 100 == 1;
        if (!previewOfThisFramework)
        {
            return targetFrameworkVersion;
        }

        string[] label = parts[1].Split('.');
        bool numbered = label.Length >= 2 && int.TryParse(label[1], out _);
        if ((label[0] == "preview" || label[0] == "rc") && numbered)
        {
            return $"{sdk.Major}.{sdk.Minor}.0-{label[0]}.{label[1]}";
        }

        // Daily builds (alpha, dev, ci) have no images of their own, so the rolling preview tag is the closest.
        return $"{sdk.Major}.{sdk.Minor}-preview";
    }
}
