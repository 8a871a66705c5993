using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Layers;
using OciBuild.Transport;
using OciBuild.Transport.Registry;

namespace OciBuild.Tasks.EarlyUpload;

/// <summary>
/// The uploads of one publish that send big layers to the destination repository while they are built,
/// so that compressing and uploading overlap instead of following each other.
/// </summary>
/// <remarks>
/// Only layers from <see cref="LayerCompressionChoice.FastestFromBytes"/> of input take part. Such a layer
/// compresses for hundreds of milliseconds, which the upload can hide: the 82.8 MB runtime tar of a
/// self-contained HelloEcho took about 0.5 s at gzip level 1 on a 2-core AMD EPYC VM. A smaller layer
/// compresses in tens of milliseconds, less than the extra round trips of a session (start, existence
/// check, commit) would cost.
/// </remarks>
internal sealed class EarlyLayerUploads : IAsyncDisposable
{
    private readonly RegistryClient _client;
    private readonly string _repository;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _cancellation;
    private readonly List<EarlyLayerUpload> _uploads = [];

    private EarlyLayerUploads(RegistryClient client, string repository, ILogger logger, CancellationToken cancellationToken)
    {
        _client = client;
        _repository = repository;
        _logger = logger;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>
    /// Returns the early uploads for a publish to <paramref name="destination"/>, or null when it is not a
    /// registry or when <paramref name="chunkSize"/> is set. A chunk size (OciChunkSize) means that something
    /// on the way limits request bodies, and one streamed PATCH of a whole layer would exceed that limit.
    /// </summary>
    public static EarlyLayerUploads? For(TransportContext context, ImageLocation destination, long chunkSize, ILogger logger, CancellationToken cancellationToken)
    {
        if (destination.Transport != TransportKind.Registry || chunkSize > 0)
        {
            return null;
        }

        var client = context.GetRegistryClient(destination.Reference.Registry);
        return new EarlyLayerUploads(client, destination.Reference.Repository, logger, cancellationToken);
    }

    /// <summary>
    /// Starts uploading the blob that is being written to <paramref name="blobPath"/>, or returns null when
    /// the layer of <paramref name="files"/> is too small to gain from it. The file must exist already.
    /// </summary>
    public EarlyLayerUpload? Start(string blobPath, IReadOnlyList<LayerFile> files, string description)
    {
        if (LayerCompressionChoice.InputBytes(files) < LayerCompressionChoice.FastestFromBytes)
        {
            return null;
        }

        EarlyLayerUpload upload;
        try
        {
            upload = new EarlyLayerUpload(_client, _repository, blobPath, description, _logger, _cancellation.Token);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogDebug("cannot read {Path} while it is written ({Message}); the {Layer} is uploaded after its build", blobPath, e.Message, description);
            return null;
        }

        lock (_uploads)
        {
            _uploads.Add(upload);
        }

        return upload;
    }

    /// <summary>Waits until every upload whose build produced blob <paramref name="digest"/> has committed it or given up. Never throws.</summary>
    public Task WhenUploadedAsync(Digest digest)
    {
        lock (_uploads)
        {
            return Task.WhenAll(_uploads.Where(u => u.BuiltDigest == digest).Select(u => u.Completion).ToList());
        }
    }

    /// <summary>Waits until every upload started so far has committed its blob or given up. Never throws.</summary>
    public Task WhenAllAsync()
    {
        lock (_uploads)
        {
            return Task.WhenAll(_uploads.Select(u => u.Completion).ToList());
        }
    }

    /// <summary>Cancels the uploads still running, such as those of a publish that failed, and waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        await _cancellation.CancelAsync().ConfigureAwait(false);
        await WhenAllAsync().ConfigureAwait(false);
        _cancellation.Dispose();
    }
}
