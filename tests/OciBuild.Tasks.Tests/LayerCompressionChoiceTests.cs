using System.IO.Compression;
using OciBuild.Layers;

namespace OciBuild.Tasks.Tests;

/// <summary>The gzip level of a published layer, chosen from the size of its files.</summary>
public sealed class LayerCompressionChoiceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ocibuild-compression-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(new long[] { 1024 }, CompressionLevel.Optimal)]
    [InlineData(new long[] { LayerCompressionChoice.FastestFromBytes - 1 }, CompressionLevel.Optimal)]
    [InlineData(new long[] { LayerCompressionChoice.FastestFromBytes }, CompressionLevel.Fastest)]
    [InlineData(new long[] { LayerCompressionChoice.FastestFromBytes / 2, LayerCompressionChoice.FastestFromBytes / 2 }, CompressionLevel.Fastest)]
    public void Level_follows_total_size(long[] sizes, CompressionLevel expected)
    {
        Assert.Equal(expected, LayerCompressionChoice.Apply(new LayerOptions(), CreateFiles(sizes)).CompressionLevel);
    }

    [Theory]
    [InlineData(LayerCompressionChoice.FastestFromBytes - 1, CompressionLevel.Optimal, null)]
    [InlineData(LayerCompressionChoice.FastestFromBytes, CompressionLevel.Fastest, LayerCompressionChoice.ParallelPartSize)]
    public void Large_layer_gets_parallel_parts(long size, CompressionLevel expectedLevel, int? expectedMemberSize)
    {
        var options = new LayerOptions { DestinationDirectory = "/srv", UserId = 1654 };

        var chosen = LayerCompressionChoice.Apply(options, CreateFiles([size]));

        Assert.Equal(expectedLevel, chosen.CompressionLevel);
        Assert.Equal(expectedMemberSize, chosen.ParallelPartSize);
        Assert.Equal("/srv", chosen.DestinationDirectory);
        Assert.Equal(1654, chosen.UserId);
    }

    private List<LayerFile> CreateFiles(long[] sizes)
    {
        var files = new List<LayerFile> { new("lib", _directory, LayerFileKind.Directory) };
        for (int i = 0; i < sizes.Length; i++)
        {
            string path = Path.Combine(_directory, $"file{i}");
            using (var stream = File.Create(path))
            {
                // A sparse file of the size needed, so the test writes no real data.
                stream.SetLength(sizes[i]);
            }

            files.Add(new LayerFile($"lib/file{i}", path, LayerFileKind.File));
        }

        return files;
    }
}
