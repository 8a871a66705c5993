namespace OciBuild.Core;

public sealed partial record ImageReference
{
    /// <summary>
    /// Tells whether <paramref name="text"/> names its registry, by the same rule the parser uses: a
    /// first path component with '.', ':' or equal to <c>localhost</c>. <c>helloecho:1</c> and
    /// <c>team/app</c> do not; <c>localhost/app</c> and <c>quay.io/team/app</c> do.
    /// </summary>
    public static bool NamesRegistry(string text)
    {
        int slash = text.IndexOf('/');
        if (slash < 0)
        {
            return false;
        }

        string first = text[..slash];
        return first.Contains('.') || first.Contains(':') || first == "localhost" || first.Any(char.IsAsciiLetterUpper);
    }
}
