using OciBuild.Transport.Registry;

namespace OciBuild.Transport.Tests.Registry;

public sealed class LogRedactionTests
{
    [Theory]
    [InlineData("https://r:5000/v2/app/blobs/uploads/abc?_state=c2VjcmV0&digest=sha256%3Aab", "https://r:5000/v2/app/blobs/uploads/abc?_state=REDACTED&digest=sha256%3Aab")]
    [InlineData("https://s3.example/bucket/blob?X-Amz-Signature=deadbeef&X-Amz-Credential=AKIA", "https://s3.example/bucket/blob?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED")]
    [InlineData("https://auth.example/token?service=reg&scope=repository%3Aapp%3Apull&account=bob", "https://auth.example/token?service=reg&scope=repository%3Aapp%3Apull&account=REDACTED")]
    [InlineData("https://user:pass@r:5000/v2/", "https://REDACTED@r:5000/v2/")]
    [InlineData("http://r:5000/v2/app/tags/list?n=10&last=v1", "http://r:5000/v2/app/tags/list?n=10&last=v1")]
    public void Redact_masks_secret_parts(string url, string expected)
    {
        Assert.Equal(expected, LogRedaction.Redact(new Uri(url)));
    }
}
