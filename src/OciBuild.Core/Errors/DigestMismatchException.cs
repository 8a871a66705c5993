namespace OciBuild.Core.Errors;

/// <summary>Content whose computed digest differs from the digest it was fetched or stored under.</summary>
public sealed class DigestMismatchException : OciException
{
    public DigestMismatchException(string what, Digest expected, Digest actual)
        : base(ErrorCodes.DigestMismatch, $"{what}: expected digest {expected} but the content hashes to {actual}")
    {
        Expected = expected;
        Actual = actual;
    }

    public Digest Expected { get; }

    public Digest Actual { get; }
}
