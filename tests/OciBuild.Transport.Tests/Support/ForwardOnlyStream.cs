namespace OciBuild.Transport.Tests.Support;

/// <summary>A stream that can only be read forward, like a blob streamed from another registry.</summary>
internal sealed class ForwardOnlyStream(byte[] content) : MemoryStream(content)
{
    public override bool CanSeek => false;
}
