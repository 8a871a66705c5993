using System.Globalization;
using OciBuild.Core.Errors;
using OciBuild.Layers;

namespace OciBuild.Tasks;

/// <summary>Reads <c>OciLayerCompression</c> and <c>OciLayerCompressionLevel</c>.</summary>
internal static class LayerCompressionSetting
{
    /// <summary>Returns the compression and its numeric level; a null level keeps the compression's default.</summary>
    public static (LayerCompressionFormat Format, int? Level) Parse(string? compression, string? level)
    {
        var format = compression?.Trim().ToLowerInvariant() switch
        {
            null or "" or "gzip" => LayerCompressionFormat.Gzip,
            "zstd" => LayerCompressionFormat.Zstd,
            _ => throw new OciException(
                ErrorCodes.UnknownLayerCompression,
                $"OciLayerCompression=\"{compression}\" is not a known layer compression; use gzip (the default, read by every runtime) or zstd (smaller and faster to unpack; needs containerd 1.5+, Podman or CRI-O)"),
        };

        if (string.IsNullOrWhiteSpace(level))
        {
            return (format, null);
        }

        var (min, max) = LayerOptions.CompressionLevelRange(format);
        if (!int.TryParse(level.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number < min || number > max)
        {
            string name = format == LayerCompressionFormat.Zstd ? "zstd" : "gzip";
            throw new OciException(
                ErrorCodes.InvalidCompressionLevel,
                $"OciLayerCompressionLevel=\"{level}\" is not a valid {name} level; use a whole number from {min} to {max}, or leave it unset for the default");
        }

        return (format, number);
    }
}
