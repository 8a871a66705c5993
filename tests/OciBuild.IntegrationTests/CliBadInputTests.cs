namespace OciBuild.IntegrationTests;

/// <summary>
/// Bad command lines and inputs get one error line each with an OCIB code, exit code 1 and no stack
/// trace, as every other failure of a verb.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class CliBadInputTests
{
    private readonly TestBed _bed;

    public CliBadInputTests(TestBed bed)
    {
        _bed = bed;
    }

    // {dir} stands for a scratch folder that contains not-a-tar.tar, a file of text.
    [Theory]
    [InlineData("OCIB1007", "frobnicate")]
    [InlineData("OCIB1007", "pull")]
    [InlineData("OCIB1007", "images", "--no-such-flag")]
    [InlineData("OCIB1001", "pull", "Upper/Case:1")]
    [InlineData("OCIB1006", "pull", "--creds", "no-colon", "127.0.0.1:1/app:1")]
    [InlineData("OCIB2003", "rm", "no-such-container")]
    [InlineData("OCIB2101", "pull", "docker-archive:{dir}/not-a-tar.tar")]
    [InlineData("OCIB2101", "pull", "oci-archive:{dir}/missing.tar")]
    [InlineData("OCIB5001", "--root", "/etc/hostname", "images")]
    public async Task Bad_input_gets_coded_error(string code, params string[] arguments)
    {
        string directory = _bed.NewDirectory("bad-input");
        await File.WriteAllTextAsync(Path.Combine(directory, "not-a-tar.tar"), "plain text, not a tar archive");
        string store = _bed.NewDirectory("bad-input-store");

        var result = await _bed.OcibuildAsync(store, arguments.Select(a => a.Replace("{dir}", directory)).ToArray());

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("Error: ", result.StandardError.TrimStart(), StringComparison.Ordinal);
        Assert.Contains($"[{code}]", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Usage:", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }
}
