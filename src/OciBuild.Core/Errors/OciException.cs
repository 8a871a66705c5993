namespace OciBuild.Core.Errors;

/// <summary>
/// Base of every error OciBuild reports to a user. <see cref="Code"/> is a stable identifier
/// (<c>OCIB</c> and four digits) that front ends print so a user can look up the fix.
/// </summary>
public class OciException : Exception
{
    public OciException(string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    public string Code { get; }
}
