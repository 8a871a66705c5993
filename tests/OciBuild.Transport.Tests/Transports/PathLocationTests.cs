using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Transport.Tests.Transports;

public class PathLocationTests
{
    [Theory]
    [InlineData("oci:/tmp/layout", TransportKind.OciLayout, "/tmp/layout", null)]
    [InlineData("oci:/tmp/layout:1.0", TransportKind.OciLayout, "/tmp/layout", "1.0")]
    [InlineData("oci:/tmp/layout:localhost/app:1", TransportKind.OciLayout, "/tmp/layout", "localhost/app:1")]
    [InlineData("oci-archive:/tmp/app.tar", TransportKind.OciArchive, "/tmp/app.tar", null)]
    [InlineData("oci-archive:/tmp/app.tar:v2", TransportKind.OciArchive, "/tmp/app.tar", "v2")]
    [InlineData("dir:/tmp/app", TransportKind.Directory, "/tmp/app", null)]
    public void Parse_reads_layout_transports(string text, TransportKind transport, string path, string? reference)
    {
        var location = ImageLocation.Parse(text);

        Assert.Equal(transport, location.Transport);
        Assert.Equal(path, location.Path);
        Assert.Equal(reference, location.LayoutReference);
        Assert.Equal(reference ?? "", location.Tag);
        Assert.False(location.HasReference);
        Assert.Equal(text, location.ToString());
    }

    [Fact]
    public void Parse_makes_relative_path_absolute()
    {
        var location = ImageLocation.Parse("oci:layout:1");

        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "layout"), location.Path);
        Assert.Equal("oci:layout:1", location.ToString());
    }

    [Theory]
    [InlineData("docker-archive:/tmp/app.tar:app:1", "docker.io/library/app:1", "1")]
    [InlineData("docker-archive:/tmp/app.tar:localhost:5000/team/app", "localhost:5000/team/app:latest", "latest")]
    public void Parse_reads_docker_archive_name(string text, string reference, string tag)
    {
        var location = ImageLocation.Parse(text);

        Assert.Equal(TransportKind.DockerArchive, location.Transport);
        Assert.Equal("/tmp/app.tar", location.Path);
        Assert.Equal(reference, location.Reference.ToString());
        Assert.Equal(tag, location.Tag);
    }

    [Fact]
    public void Parse_reads_docker_archive_without_name()
    {
        var location = ImageLocation.Parse("docker-archive:/tmp/app.tar");

        Assert.False(location.HasReference);
        Assert.Equal("", location.Tag);
        Assert.Throws<InvalidOperationException>(() => location.Reference);
    }

    [Fact]
    public void Parse_reads_daemon_name()
    {
        var location = ImageLocation.Parse("docker-daemon:team/app:2");

        Assert.Equal(TransportKind.DockerDaemon, location.Transport);
        Assert.Equal("docker.io/team/app:2", location.Reference.ToString());
        Assert.Equal("2", location.Tag);
        Assert.Null(location.Path);
    }

    [Fact]
    public void Parse_reads_daemon_image_id()
    {
        string id = "sha256:" + new string('a', 64);

        var location = ImageLocation.Parse("docker-daemon:" + id);

        Assert.Equal(Digest.Parse(id), location.ImageId);
        Assert.False(location.HasReference);
    }

    [Theory]
    [InlineData("oci:")]
    [InlineData("oci::1.0")]
    [InlineData("oci:/tmp/layout:bad name")]
    [InlineData("oci:/tmp/layout:-leading")]
    [InlineData("oci-archive:/tmp/a.tar:a//b")]
    [InlineData("dir:")]
    [InlineData("dir:/tmp/a:b")]
    [InlineData("docker-archive:/tmp/a.tar:App:1")]
    [InlineData("docker-archive:/tmp/a.tar:app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("docker-daemon:app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Parse_rejects_invalid_location(string text)
    {
        var error = Assert.Throws<InvalidReferenceException>(() => ImageLocation.Parse(text));

        Assert.Equal(ErrorCodes.InvalidReference, error.Code);
    }
}
