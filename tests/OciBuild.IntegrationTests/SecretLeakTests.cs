using System.Text;

namespace OciBuild.IntegrationTests;

/// <summary>
/// Credentials for an htpasswd registry never reach any output or any file that a publish, a pull or
/// a push writes, with <c>--debug</c> on the CLI and normal verbosity on the build.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class SecretLeakTests
{
    private const string User = "leaktester";

    private readonly TestBed _bed;

    public SecretLeakTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Credentials_appear_in_no_output_or_file()
    {
        string password = "pw-" + Guid.NewGuid().ToString("N");
        string store = _bed.NewDirectory("secret-store");
        await using var registry = await TestRegistry.StartAsync(Path.Combine(_bed.NewDirectory("secret-auth"), "registry"), "--auth", $"{User}:{password}");
        string image = $"{registry.Address}/secret/helloecho";
        var outputs = new List<(string Step, ProcessResult Result)>();

        // NOTE: at detailed verbosity MSBuild itself prints its command line and every property read
        // from the environment, so OciCreds shows there whichever way it is passed. Normal verbosity is
        // the most verbose level at which the credentials stay out of the build output.
        outputs.Add(("publish", await PublishAsync(
            [$"OciRegistry={registry.Address}", $"OciCreds={User}:{password}", "OciTlsVerify=false", $"OciBaseImage={_bed.BaseImage}", "OciRepository=secret/helloecho", $"OciLocalStore={store}"])));
        outputs.Add(("pull", await _bed.OcibuildAsync(store, "pull", "--debug", "--tls-verify=false", "--creds", $"{User}:{password}", image + ":latest")));
        outputs.Add(("push", await _bed.OcibuildAsync(store, "push", "--debug", "--tls-verify=false", "--creds", $"{User}:{password}", image + ":latest", $"docker://{image}-copy:1")));
        outputs.Add(("wrong password", await _bed.OcibuildAsync(store, "pull", "--pull", "always", "--debug", "--tls-verify=false", "--creds", $"{User}:{password}x", image + ":latest")));

        foreach (var (step, result) in outputs.Take(3))
        {
            Assert.True(result.ExitCode == 0, $"{step} failed: {result}");
        }

        Assert.Contains("OCIB3003", outputs[3].Result.StandardError, StringComparison.Ordinal);
        foreach (var (step, result) in outputs)
        {
            string text = result.StandardOutput + result.StandardError;
            foreach (var (form, secret) in SecretForms(password))
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"the {form} appears in the output of {step}:\n{result}");
            }

            Assert.DoesNotContain("Authorization: Basic", text, StringComparison.OrdinalIgnoreCase);
        }

        string sample = _bed.SampleDirectory;
        var written = new[] { store, Path.Combine(sample, "obj"), Path.Combine(sample, "bin") }.SelectMany(AllFiles).ToList();
        Assert.Contains(written, f => f.StartsWith(Path.Combine(store, "blobs"), StringComparison.Ordinal));
        foreach (string file in written)
        {
            byte[] content = await File.ReadAllBytesAsync(file);
            foreach (var (form, secret) in SecretForms(password))
            {
                Assert.False(content.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) >= 0, $"the {form} is in {file}");
            }
        }
    }

    // The password itself, and the base64 of USER:PASSWORD that a Basic Authorization header carries.
    private static IEnumerable<(string Form, string Secret)> SecretForms(string password)
    {
        yield return ("password", password);
        yield return ("base64 user:password", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{password}")));
    }

    private static IEnumerable<string> AllFiles(string directory)
        => Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            : [];

    // Like TestBed.PublishAsync, but at normal verbosity, which adds the task's information messages.
    private Task<ProcessResult> PublishAsync(IEnumerable<string> properties)
    {
        var arguments = new List<string> { "publish", "-c", "Release", "-nologo", "-v:normal", "-t:PublishOciImage" };
        arguments.AddRange(properties.Select(p => $"-p:{p}"));
        var environment = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(_bed.WorkDirectory, "nuget-packages") };
        return ProcessRunner.RunAsync("dotnet", arguments, _bed.SampleDirectory, environment);
    }
}
