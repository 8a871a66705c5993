using OciBuild.Core;
using OciBuild.Transport;

namespace OciBuild.Cli.Tests.Pulling;

public class PulledImageNameTests
{
    [Theory]
    [InlineData("docker://localhost:5000/app:1", "localhost:5000/app:1")]
    [InlineData("docker-archive:/tmp/app.tar:team/app:2", "docker.io/team/app:2")]
    [InlineData("docker-daemon:app:3", "docker.io/library/app:3")]
    [InlineData("oci:/tmp/layout:localhost/app:1", "localhost/app:1")]
    [InlineData("oci:/tmp/layout:app:1", "localhost/app:1")]
    [InlineData("oci:/tmp/layout:1.0", "localhost/layout:1.0")]
    [InlineData("oci:/tmp/layout", "localhost/layout:latest")]
    [InlineData("oci-archive:/tmp/My_App.oci.tar:v2", "localhost/my-app-oci:v2")]
    [InlineData("dir:/tmp/Image/", "localhost/image:latest")]
    [InlineData("docker-archive:/tmp/app.tar", "localhost/app:latest")]
    public void LocalName_follows_location(string text, string expected)
    {
        var name = ImagePuller.LocalName(ImageLocation.Parse(text), new NoImageSource());

        Assert.Equal(expected, name.ToString());
    }

    /// <summary>A source that is never read: naming uses only the location unless the source is a docker-archive.</summary>
    private sealed class NoImageSource : IImageSource
    {
        public string Description => "none";

        public Task<ManifestContent> GetManifestAsync(Digest? digest, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Stream> OpenBlobAsync(Descriptor blob, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
