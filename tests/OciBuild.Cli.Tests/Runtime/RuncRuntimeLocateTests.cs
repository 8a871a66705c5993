using System.Runtime.Versioning;
using OciBuild.Cli.Runtime;
using OciBuild.Core.Errors;

namespace OciBuild.Cli.Tests.Runtime;

[SupportedOSPlatform("linux")]
public sealed class RuncRuntimeLocateTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ocibuild-test-path-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Locate_prefers_the_environment_variable()
    {
        string configured = CreateExecutable("my-runc");
        string onPath = CreateExecutable("runc");

        RuncRuntime runtime = Locate(new() { ["OCIBUILD_RUNTIME"] = configured, ["PATH"] = directory });

        Assert.Equal(configured, runtime.ExecutablePath);
        Assert.NotEqual(onPath, runtime.ExecutablePath);
    }

    [Fact]
    public void Locate_looks_up_a_bare_name_on_path()
    {
        string configured = CreateExecutable("crun-like");

        RuncRuntime runtime = Locate(new() { ["OCIBUILD_RUNTIME"] = "crun-like", ["PATH"] = $"/nonexistent:{directory}" });

        Assert.Equal(configured, runtime.ExecutablePath);
    }

    [Fact]
    public void Locate_rejects_a_missing_configured_runtime()
    {
        var error = Assert.Throws<OciException>(() => Locate(new() { ["OCIBUILD_RUNTIME"] = "/nonexistent/runc", ["PATH"] = directory }));

        Assert.Equal(ErrorCodes.RuntimeMissing, error.Code);
        Assert.Equal(
            "OCIBUILD_RUNTIME is set to \"/nonexistent/runc\", which is not an executable file; point it at the runc binary or unset it",
            error.Message);
    }

    [Fact]
    public void Locate_searches_path_then_fallbacks()
    {
        string fallback = CreateExecutable("fallback-runc");

        RuncRuntime fromFallback = Locate(new() { ["PATH"] = "/nonexistent" }, ["/nonexistent/runc", fallback]);
        string onPath = CreateExecutable("runc");
        RuncRuntime fromPath = Locate(new() { ["PATH"] = directory }, [fallback]);

        Assert.Equal(fallback, fromFallback.ExecutablePath);
        Assert.Equal(onPath, fromPath.ExecutablePath);
    }

    [Fact]
    public void Locate_skips_files_that_are_not_executable()
    {
        File.WriteAllText(Path.Join(directory, "runc"), "");
        File.SetUnixFileMode(Path.Join(directory, "runc"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.Throws<OciException>(() => Locate(new() { ["PATH"] = directory }));

        Assert.Equal(ErrorCodes.RuntimeMissing, error.Code);
    }

    [Fact]
    public void Locate_explains_how_to_install_runc()
    {
        var error = Assert.Throws<OciException>(() => Locate(new() { ["PATH"] = directory }));

        Assert.Equal(ErrorCodes.RuntimeMissing, error.Code);
        Assert.Equal("runc not found; install it with `apt-get install runc` or set OCIBUILD_RUNTIME", error.Message);
    }

    private static RuncRuntime Locate(Dictionary<string, string> environment, string[]? fallbackPaths = null) =>
        RuncRuntime.Locate(name => environment.GetValueOrDefault(name), fallbackPaths ?? []);

    private string CreateExecutable(string name)
    {
        string path = Path.Join(directory, name);
        File.WriteAllText(path, "#!/bin/sh\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
