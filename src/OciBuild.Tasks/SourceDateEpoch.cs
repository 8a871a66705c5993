using System.Globalization;
using OciBuild.Core.Errors;

namespace OciBuild.Tasks;

/// <summary>Reads SOURCE_DATE_EPOCH (reproducible-builds.org): the time to stamp on reproducible output.</summary>
public static class SourceDateEpoch
{
    public const string VariableName = "SOURCE_DATE_EPOCH";

    /// <summary>Returns the time it sets, or null when the variable is unset or empty.</summary>
    public static DateTimeOffset? Read()
    {
        string? value = Environment.GetEnvironmentVariable(VariableName);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds) || seconds > 253402300799)
        {
            throw new OciException(ErrorCodes.InvalidArgument, $"{VariableName}=\"{value}\" is not a whole number of seconds since 1970-01-01 UTC");
        }

        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }
}
