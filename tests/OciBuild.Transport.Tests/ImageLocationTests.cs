using OciBuild.Core.Errors;

namespace OciBuild.Transport.Tests;

public class ImageLocationTests
{
    [Theory]
    [InlineData("docker://127.0.0.1:5000/team/app:1", "127.0.0.1:5000/team/app:1")]
    [InlineData("docker://localhost/app", "localhost/app:latest")]
    [InlineData("docker://app", "docker.io/library/app:latest")]
    [InlineData("docker://quay.io/team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "quay.io/team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Parse_reads_docker_transport(string text, string reference)
    {
        var location = ImageLocation.Parse(text);

        Assert.Equal(TransportKind.Registry, location.Transport);
        Assert.Equal(reference, location.Reference.ToString());
        Assert.Equal("docker://" + reference, location.ToString());
    }

    [Theory]
    [InlineData("containers-storage:app:1", "localhost/app:1", "app:1")]
    [InlineData("containers-storage:app", "localhost/app:latest", "app")]
    [InlineData("containers-storage:team/app:2", "localhost/team/app:2", "team/app:2")]
    [InlineData("containers-storage:quay.io/team/app:2", "quay.io/team/app:2", "quay.io/team/app:2")]
    [InlineData("containers-storage:127.0.0.1:5000/app:3", "127.0.0.1:5000/app:3", "127.0.0.1:5000/app:3")]
    public void Parse_reads_storage_transport(string text, string reference, string name)
    {
        var location = ImageLocation.Parse(text);

        Assert.Equal(TransportKind.LocalStore, location.Transport);
        Assert.Equal(reference, location.Reference.ToString());
        Assert.Equal(name, location.Text);
        Assert.Equal(text, location.ToString());
    }

    [Theory]
    [InlineData("app", "docker.io/library/app:latest")]
    [InlineData("app:1", "docker.io/library/app:1")]
    [InlineData("localhost:5000/app:1", "localhost:5000/app:1")]
    [InlineData("registry.test/team/app", "registry.test/team/app:latest")]
    public void Parse_reads_bare_name(string text, string reference)
    {
        var location = ImageLocation.Parse(text);

        Assert.Equal(TransportKind.Unspecified, location.Transport);
        Assert.Equal(reference, location.Reference.ToString());
        Assert.Equal(text, location.Text);
        Assert.Equal(text, location.ToString());
    }

    [Theory]
    [InlineData("docker://")]
    [InlineData("docker://App")]
    [InlineData("containers-storage:")]
    [InlineData("app:")]
    public void Parse_rejects_invalid_name(string text)
    {
        var error = Assert.Throws<InvalidReferenceException>(() => ImageLocation.Parse(text));

        Assert.Equal(ErrorCodes.InvalidReference, error.Code);
    }
}
