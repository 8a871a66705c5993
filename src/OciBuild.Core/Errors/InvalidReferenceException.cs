namespace OciBuild.Core.Errors;

/// <summary>An image reference that does not follow the distribution reference grammar.</summary>
public sealed class InvalidReferenceException : OciException
{
    public InvalidReferenceException(string reference, string reason)
        : base(ErrorCodes.InvalidReference, $"invalid image reference \"{reference}\": {reason}")
    {
        Reference = reference;
    }

    public string Reference { get; }
}
