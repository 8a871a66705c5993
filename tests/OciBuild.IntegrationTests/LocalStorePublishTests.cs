using System.Text.Json;

namespace OciBuild.IntegrationTests;

/// <summary>Publishing without a registry, the local store's verbs, and pushing from it with credentials.</summary>
[Collection(TestBedCollection.Name)]
public sealed class LocalStorePublishTests
{
    private readonly TestBed _bed;

    public LocalStorePublishTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Publish_without_registry_stores_localhost_name()
    {
        string store = _bed.NewDirectory("store");

        var publish = await _bed.PublishAsync([$"OciLocalStore={store}", "OciTlsVerify=false", $"OciBaseImage={_bed.BaseImage}", "OciTags=1.0%3Blatest"]);
        var images = await _bed.OcibuildAsync(store, "images");
        var inspect = await _bed.OcibuildAsync(store, "inspect", "helloecho:1.0");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains("localhost/helloecho:1.0", images.StandardOutput);
        Assert.Contains("localhost/helloecho:latest", images.StandardOutput);
        Assert.StartsWith("IMAGE ID", images.StandardOutput);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        using var summary = JsonDocument.Parse(inspect.StandardOutput);
        Assert.Equal("localhost/helloecho", summary.RootElement.GetProperty("Name").GetString());
    }

    [Fact]
    public async Task Rmi_removes_image_and_blobs()
    {
        string store = _bed.NewDirectory("store");
        var publish = await _bed.PublishAsync([$"OciLocalStore={store}", "OciTlsVerify=false", $"OciBaseImage={_bed.BaseImage}"]);
        Assert.True(publish.ExitCode == 0, publish.ToString());

        var rmi = await _bed.OcibuildAsync(store, "rmi", "helloecho");
        var images = await _bed.OcibuildAsync(store, "images");

        Assert.True(rmi.ExitCode == 0, rmi.ToString());
        Assert.DoesNotContain("helloecho", images.StandardOutput);
        Assert.Empty(Directory.GetFiles(Path.Combine(store, "blobs", "sha256")));
    }

    [Fact]
    public async Task Store_layout_reads_with_skopeo()
    {
        string store = _bed.NewDirectory("store");
        var publish = await _bed.PublishAsync([$"OciLocalStore={store}", "OciTlsVerify=false", $"OciBaseImage={_bed.BaseImage}"]);
        Assert.True(publish.ExitCode == 0, publish.ToString());

        var inspect = await ProcessRunner.RunAsync("skopeo", ["inspect", $"oci:{store}:localhost/helloecho:latest"]);

        Assert.True(inspect.ExitCode == 0, inspect.ToString());
    }

    [Fact]
    public async Task OciPublish_true_builds_image_on_plain_publish()
    {
        string store = _bed.NewDirectory("store");

        var publish = await _bed.PublishAsync(["OciPublish=true", $"OciLocalStore={store}", "OciTlsVerify=false", $"OciBaseImage={_bed.BaseImage}", "OciRepository=plain-publish"], target: "");
        var images = await _bed.OcibuildAsync(store, "images");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains("localhost/plain-publish:latest", images.StandardOutput);
    }

    [Fact]
    public async Task Push_with_creds_reaches_auth_registry()
    {
        const string password = "pw-7f3c9e1d";
        string store = _bed.NewDirectory("store");
        await using var registry = await TestRegistry.StartAsync(Path.Combine(_bed.NewDirectory("auth"), "registry"), "--auth", $"tester:{password}");
        var publish = await _bed.PublishAsync([$"OciLocalStore={store}", "OciTlsVerify=false", $"OciBaseImage={_bed.BaseImage}"]);
        Assert.True(publish.ExitCode == 0, publish.ToString());

        var push = await _bed.OcibuildAsync(store, "push", "--debug", "--tls-verify=false", "--creds", $"tester:{password}", "helloecho:latest", $"docker://{registry.Address}/team/helloecho:1");
        var inspect = await ProcessRunner.RunAsync("skopeo", ["inspect", "--tls-verify=false", "--creds", $"tester:{password}", $"docker://{registry.Address}/team/helloecho:1"]);

        Assert.True(push.ExitCode == 0, push.ToString());
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.DoesNotContain(password, push.StandardOutput + push.StandardError);
    }

    [Fact]
    public async Task Push_with_wrong_password_fails_without_echo()
    {
        const string wrongPassword = "wrong-5b81aa";
        string store = _bed.NewDirectory("store");
        await using var registry = await TestRegistry.StartAsync(Path.Combine(_bed.NewDirectory("auth"), "registry"), "--auth", "tester:right-password");
        var publish = await _bed.PublishAsync([$"OciLocalStore={store}", "OciTlsVerify=false", $"OciBaseImage={_bed.BaseImage}"]);
        Assert.True(publish.ExitCode == 0, publish.ToString());

        var push = await _bed.OcibuildAsync(store, "push", "--debug", "--tls-verify=false", "--creds", $"tester:{wrongPassword}", "helloecho:latest", $"docker://{registry.Address}/team/helloecho:1");

        Assert.Equal(1, push.ExitCode);
        Assert.Contains("OCIB3003", push.StandardError);
        Assert.DoesNotContain(wrongPassword, push.StandardOutput + push.StandardError);
    }

    [Fact]
    public async Task Publish_reports_missing_base_image()
    {
        var publish = await _bed.PublishAsync([$"OciRegistry={_bed.Registry.Address}", "OciTlsVerify=false", $"OciBaseImage={_bed.Registry.Address}/no/such-image:1", "OciRepository=missing-base"]);

        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("OCIB2001", publish.StandardOutput);
    }
}
