namespace OciBuild.Core.Errors;

/// <summary>A digest string that is not <c>algorithm:hex</c> with a supported algorithm and length.</summary>
public sealed class InvalidDigestException : OciException
{
    public InvalidDigestException(string value, string reason)
        : base(ErrorCodes.InvalidDigest, $"invalid digest \"{value}\": {reason}")
    {
    }
}
