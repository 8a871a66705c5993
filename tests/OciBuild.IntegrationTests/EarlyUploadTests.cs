using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using OciBuild.Tests.Shared;

namespace OciBuild.IntegrationTests;

/// <summary>
/// A layer from 16 MiB of input goes to the destination registry while it is built, in one streamed
/// PATCH. The pushed image must be whole whether that upload commits the blob, finds it present already,
/// or fails and leaves the blob to the normal upload.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed partial class EarlyUploadTests
{
    // Random bytes do not compress, so the app layer's blob is as big as its input.
    private const int BigFileSize = 20 << 20;
    private const string User = "early-publisher";
    private const string Password = "pw-early-6d02b8";

    private readonly TestBed _bed;

    public EarlyUploadTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Big_layer_uploads_during_build()
    {
        string project = WriteBigApp("EarlyCold");

        var publish = await _bed.PublishProjectAsync(project, _bed.RegistryProperties("early/cold"), verbosity: "normal");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        string digest = EarlyUploadedDigest(publish);
        Assert.Contains($"blob {digest} already exists in docker://{_bed.Registry.Address}/early/cold", publish.StandardOutput);
        Assert.DoesNotContain($"copied blob {digest}", publish.StandardOutput);
        await AssertBigLayerPulledAsync($"{_bed.Registry.Address}/early/cold", digest, PublishOutput.ManifestDigest(publish), "--src-tls-verify=false");
    }

    [Fact]
    public async Task Existing_blob_cancels_session()
    {
        string project = WriteBigApp("EarlyTwice");
        string[] properties = _bed.RegistryProperties("early/twice");

        var first = await _bed.PublishProjectAsync(project, properties, TestBed.EpochEnvironment(), verbosity: "normal");
        Assert.True(first.ExitCode == 0, first.ToString());
        Directory.Delete(Path.Combine(project, "obj"), recursive: true);
        var second = await _bed.PublishProjectAsync(project, properties, TestBed.EpochEnvironment(), verbosity: "normal");

        Assert.True(second.ExitCode == 0, second.ToString());
        string digest = EarlyUploadedDigest(first);
        Assert.Contains($"built layer {digest}", second.StandardOutput);
        Assert.Contains($"blob {digest} of the App layer already exists in {_bed.Registry.Address}/early/twice; cancelled its upload", second.StandardOutput);
        Assert.DoesNotContain("during its build", second.StandardOutput);
        Assert.Equal(PublishOutput.ManifestDigest(first), PublishOutput.ManifestDigest(second));
        await AssertBigLayerPulledAsync($"{_bed.Registry.Address}/early/twice", digest, PublishOutput.ManifestDigest(second), "--src-tls-verify=false");
    }

    [Theory]
    [InlineData("drop")]
    [InlineData("reject")]
    public async Task Broken_patch_falls_back(string fault)
    {
        string project = WriteBigApp("EarlyFault");
        string repository = $"early/fault-{fault}";
        using var proxy = new FaultProxy(_bed.Registry.Address, (request, _) => request.HttpMethod != "PATCH"
            ? null
            : fault == "drop" ? new Fault.Drop(BodyBytes: 64 * 1024) : new Fault.Status((int)HttpStatusCode.BadRequest));

        var publish = await PublishThroughAsync(proxy, project, repository);

        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains(proxy.Log, line => line.StartsWith($"PATCH /v2/{repository}/blobs/uploads/", StringComparison.Ordinal));
        Assert.Contains($"uploading the App layer to {proxy.Address}/{repository} during its build failed", publish.StandardOutput);
        Assert.Contains("the normal upload follows", publish.StandardOutput);
        Assert.Contains(proxy.Log, line => line.StartsWith($"DELETE /v2/{repository}/blobs/uploads/", StringComparison.Ordinal));
        string digest = BuiltAppLayer().Match(publish.StandardOutput).Groups[1].Value;
        Assert.Contains($"copied blob {digest}", publish.StandardOutput);
        await AssertBigLayerPulledAsync($"{_bed.Registry.Address}/{repository}", digest, PublishOutput.ManifestDigest(publish), "--src-tls-verify=false");
    }

    [Fact]
    public async Task Chunk_size_turns_it_off()
    {
        string project = WriteBigApp("EarlyChunked");

        var publish = await _bed.PublishProjectAsync(project, [.. _bed.RegistryProperties("early/chunked"), "OciChunkSize=4194304"], verbosity: "detailed");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.DoesNotContain("during its build", publish.StandardOutput);
        string digest = BuiltAppLayer().Match(publish.StandardOutput).Groups[1].Value;
        Assert.Contains($"copied blob {digest}", publish.StandardOutput);
        // The 20 MiB of random bytes do not compress, so the layer goes in at least five 4 MiB chunks.
        Assert.True(publish.StandardOutput.Split('\n').Count(line => line.Contains("PATCH http", StringComparison.Ordinal)) >= 5, publish.StandardOutput);
        await AssertBigLayerPulledAsync($"{_bed.Registry.Address}/early/chunked", digest, PublishOutput.ManifestDigest(publish), "--src-tls-verify=false");
    }

    [Fact]
    public async Task Basic_auth_over_tls_streams()
    {
        await using var registry = await TestRegistry.StartAsync(Path.Combine(_bed.NewDirectory("early-basic"), "registry"), "--tls", "--auth", $"{User}:{Password}");

        var (publish, digest) = await PublishWithCredentialsAsync(registry, "early/basic", $"OciCertificateDirectory={registry.Directory}");

        AssertNoSecret(publish);
        await AssertBigLayerPulledAsync($"{registry.Address}/early/basic", digest, PublishOutput.ManifestDigest(publish), "--src-cert-dir", registry.Directory, "--src-creds", $"{User}:{Password}");
    }

    [Fact]
    public async Task Bearer_token_streams()
    {
        string directory = _bed.NewDirectory("early-bearer");
        using var tokens = new TokenService(Path.Combine(directory, "token-signer.pem"), (User, Password), "refresh-early-unused");
        await using var registry = await TestRegistry.StartAsync(Path.Combine(directory, "registry"), "--token-realm", tokens.Realm, "--token-certs", tokens.CertificateBundlePath);

        var (publish, digest) = await PublishWithCredentialsAsync(registry, "early/bearer", "OciTlsVerify=false");

        AssertNoSecret(publish);
        Assert.Contains(tokens.Requests, r => r.Authenticated && r.Scope.Contains("repository:early/bearer:", StringComparison.Ordinal) && r.Scope.Contains("push", StringComparison.Ordinal));
        await AssertBigLayerPulledAsync($"{registry.Address}/early/bearer", digest, PublishOutput.ManifestDigest(publish), "--src-tls-verify=false", "--src-creds", $"{User}:{Password}");
    }

    /// <summary>Publishes the big app to <paramref name="registry"/> with credentials from the environment; returns the publish and the early-uploaded digest.</summary>
    private async Task<(ProcessResult Publish, string Digest)> PublishWithCredentialsAsync(TestRegistry registry, string repository, string tlsProperty)
    {
        string project = WriteBigApp("EarlyAuth");
        string configHome = _bed.NewDirectory("early-auth-config");
        var environment = CredentialEnvironment.Isolated(configHome, Path.Combine(configHome, "auth.json"));

        // Not OciCreds, because MSBuild echoes the command line, and OciCreds with it, in detailed logs.
        environment["OCIBUILD_REGISTRY_USERNAME"] = User;
        environment["OCIBUILD_REGISTRY_PASSWORD"] = Password;
        string[] properties = [$"OciRegistry={registry.Address}", tlsProperty, $"OciBaseImage={_bed.BaseImage}", $"OciRepository={repository}"];

        var publish = await _bed.PublishProjectAsync(project, properties, environment, verbosity: "detailed");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        return (publish, EarlyUploadedDigest(publish));
    }

    // The base image is read through the proxy too, so that its layers are mounted within one registry.
    // Detailed verbosity shows the low-importance line about the failed early upload.
    private Task<ProcessResult> PublishThroughAsync(FaultProxy proxy, string project, string repository)
        => _bed.PublishProjectAsync(project, [$"OciRegistry={proxy.Address}", "OciTlsVerify=false", $"OciBaseImage={proxy.Address}/dotnet/runtime:10.0", $"OciRepository={repository}"], verbosity: "detailed");

    /// <summary>Writes the sample app with 20 MiB of random bytes among its published files.</summary>
    private string WriteBigApp(string name)
    {
        string project = _bed.WriteProject(name, """
              <ItemGroup>
                <None Include="big.bin" CopyToPublishDirectory="PreserveNewest" />
              </ItemGroup>
            """);
        byte[] content = new byte[BigFileSize];
        new Random(20).NextBytes(content);
        File.WriteAllBytes(Path.Combine(project, "big.bin"), content);
        return project;
    }

    /// <summary>Returns the digest in the log line of a blob committed by an early upload.</summary>
    private static string EarlyUploadedDigest(ProcessResult publish)
    {
        var match = UploadedDuringBuild().Match(publish.StandardOutput);
        Assert.True(match.Success, $"no blob was uploaded during its build:\n{publish}");
        return match.Groups[1].Value;
    }

    private static void AssertNoSecret(ProcessResult publish)
    {
        string output = publish.StandardOutput + publish.StandardError;
        Assert.DoesNotContain(Password, output);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{User}:{Password}")), output);
    }

    /// <summary>
    /// Copies <paramref name="imageName"/> (REGISTRY/REPOSITORY) out with skopeo, which verifies every blob against
    /// its digest, and checks that the big layer is in the manifest, hashes to its digest and contains the big file whole.
    /// </summary>
    private async Task AssertBigLayerPulledAsync(string imageName, string layerDigest, string manifestDigest, params string[] sourceOptions)
    {
        string layout = Path.Combine(_bed.NewDirectory("early-copy"), "oci");

        await ProcessRunner.RunCheckedAsync("skopeo", ["copy", .. sourceOptions, $"docker://{imageName}:latest", $"oci:{layout}:latest"]);

        var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "index.json"))).RootElement;
        Assert.Equal(manifestDigest, index.GetProperty("manifests")[0].GetProperty("digest").GetString());
        var manifest = JsonDocument.Parse(File.ReadAllText(BlobPath(layout, manifestDigest))).RootElement;
        var layerDigests = manifest.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()).ToList();
        Assert.Contains(layerDigest, layerDigests);
        string blob = BlobPath(layout, layerDigest);
        Assert.Equal(layerDigest, "sha256:" + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(blob))).ToLowerInvariant());
        var listing = await ProcessRunner.RunCheckedAsync("tar", ["-tvzf", blob]);
        Assert.Matches($@" {BigFileSize} .* app/big\.bin", listing.StandardOutput);
    }

    private static string BlobPath(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);

    [GeneratedRegex(@"built layer (sha256:[0-9a-f]{64}) \(App")]
    private static partial Regex BuiltAppLayer();

    [GeneratedRegex(@"uploaded blob (sha256:[0-9a-f]{64}) \(\d+ bytes\) of the App layer to \S+ during its build")]
    private static partial Regex UploadedDuringBuild();
}
