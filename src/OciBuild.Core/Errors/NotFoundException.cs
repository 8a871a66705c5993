namespace OciBuild.Core.Errors;

/// <summary>An image, blob or container that does not exist where it was looked for.</summary>
public sealed class NotFoundException : OciException
{
    public NotFoundException(string code, string message, Exception? innerException = null)
        : base(code, message, innerException)
    {
    }
}
