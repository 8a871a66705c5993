using System.Collections.Concurrent;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Transport.Tests.Support;
using Xunit;

namespace OciBuild.Transport.Tests.Transports;

/// <summary>The order of the calls that <see cref="ImageCopier"/> makes on a destination.</summary>
public sealed class ImageCopierOrderTests
{
    [Fact]
    public async Task Tag_check_precedes_blob_writes()
    {
        var image = TestImage.Create(layerCount: 2);
        var destination = new RecordingDestination();

        await new ImageCopier().CopyAsync(new MemoryImageSource(image), destination, ["1.0"], null, CancellationToken.None);

        var events = destination.Events.ToList();
        Assert.Equal("check 1.0", events[0]);
        Assert.Equal(3, events.Count(e => e.StartsWith("blob ", StringComparison.Ordinal)));
        Assert.Equal("manifest 1.0", events[^1]);
    }

    [Fact]
    public async Task Failed_blob_writes_no_manifest()
    {
        var image = TestImage.Create(layerCount: 2);
        var destination = new RecordingDestination { FailingBlob = image.ConfigDescriptor.Digest };

        var error = await Assert.ThrowsAsync<OciException>(() => new ImageCopier().CopyAsync(new MemoryImageSource(image), destination, ["1.0"], null, CancellationToken.None));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.DoesNotContain(destination.Events, e => e.StartsWith("manifest", StringComparison.Ordinal));
        Assert.Contains("checked 1.0", destination.Events);
    }

    /// <summary>Records each call in order and stores nothing. A tag check yields once, so it ends after calls that started before it.</summary>
    private sealed class RecordingDestination : IImageDestination
    {
        public ConcurrentQueue<string> Events { get; } = new();

        public Digest? FailingBlob { get; init; }

        public string Description => "recording destination";

        public Task<bool> HasBlobAsync(Descriptor blob, CancellationToken cancellationToken) => Task.FromResult(false);

        public async Task PutBlobAsync(Descriptor blob, Stream content, CancellationToken cancellationToken)
        {
            if (blob.Digest == FailingBlob)
            {
                throw new OciException(ErrorCodes.InvalidArgument, $"blob {blob.Digest} is rejected by this test");
            }

            await content.CopyToAsync(Stream.Null, cancellationToken);
            Events.Enqueue($"blob {blob.Digest}");
        }

        public async Task<bool> HasManifestAsync(ManifestContent manifest, string tag, CancellationToken cancellationToken)
        {
            Events.Enqueue($"check {tag}");
            await Task.Yield();
            Events.Enqueue($"checked {tag}");
            return false;
        }

        public Task PutManifestAsync(ManifestContent manifest, string tag, CancellationToken cancellationToken)
        {
            Events.Enqueue($"manifest {tag}");
            return Task.CompletedTask;
        }
    }
}
