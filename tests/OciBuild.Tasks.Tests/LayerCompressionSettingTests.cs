using OciBuild.Core.Errors;
using OciBuild.Layers;

namespace OciBuild.Tasks.Tests;

/// <summary>Reading OciLayerCompression and OciLayerCompressionLevel.</summary>
public sealed class LayerCompressionSettingTests
{
    [Theory]
    [InlineData(null, null, LayerCompressionFormat.Gzip, null)]
    [InlineData("", "", LayerCompressionFormat.Gzip, null)]
    [InlineData("gzip", "9", LayerCompressionFormat.Gzip, 9)]
    [InlineData(" ZSTD ", null, LayerCompressionFormat.Zstd, null)]
    [InlineData("zstd", "1", LayerCompressionFormat.Zstd, 1)]
    [InlineData("zstd", "22", LayerCompressionFormat.Zstd, 22)]
    public void Valid_settings_parse(string? compression, string? level, LayerCompressionFormat expectedFormat, int? expectedLevel)
    {
        var (format, number) = LayerCompressionSetting.Parse(compression, level);

        Assert.Equal(expectedFormat, format);
        Assert.Equal(expectedLevel, number);
    }

    [Theory]
    [InlineData("brotli")]
    [InlineData("zstd:chunked")]
    [InlineData("none")]
    public void Unknown_compression_names_accepted_values(string compression)
    {
        var error = Assert.Throws<OciException>(() => LayerCompressionSetting.Parse(compression, null));

        Assert.Equal(ErrorCodes.UnknownLayerCompression, error.Code);
        Assert.Contains($"OciLayerCompression=\"{compression}\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("use gzip", error.Message, StringComparison.Ordinal);
        Assert.Contains("or zstd", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gzip", "0", "1 to 9")]
    [InlineData("gzip", "10", "1 to 9")]
    [InlineData(null, "19", "1 to 9")]
    [InlineData("zstd", "23", "1 to 22")]
    [InlineData("zstd", "-1", "1 to 22")]
    [InlineData("zstd", "fast", "1 to 22")]
    public void Level_out_of_range_names_range(string? compression, string level, string range)
    {
        var error = Assert.Throws<OciException>(() => LayerCompressionSetting.Parse(compression, level));

        Assert.Equal(ErrorCodes.InvalidCompressionLevel, error.Code);
        Assert.Contains($"OciLayerCompressionLevel=\"{level}\"", error.Message, StringComparison.Ordinal);
        Assert.Contains(range, error.Message, StringComparison.Ordinal);
    }
}
