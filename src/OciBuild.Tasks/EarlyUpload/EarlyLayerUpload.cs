using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Layers;
using OciBuild.Transport.Registry;

namespace OciBuild.Tasks.EarlyUpload;

/// <summary>
/// Uploads one layer's blob to the destination repository while the layer cache still writes it. When
/// the build ends, the upload is committed under the built digest, or cancelled when the repository
/// already has that blob. Nothing here fails the publish: any failure is logged, the session is
/// cancelled, and the image copy uploads the blob the usual way.
/// </summary>
internal sealed class EarlyLayerUpload
{
    private static readonly TimeSpan CancelTimeout = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource<BuiltLayer> _build = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RegistryClient _client;
    private readonly string _repository;
    private readonly string _blobPath;
    private readonly string _description;
    private readonly ILogger _logger;

    /// <summary>Opens <paramref name="blobPath"/>, which must exist, and starts uploading it on the thread pool.</summary>
    /// <exception cref="IOException">The file cannot be opened for reading.</exception>
    public EarlyLayerUpload(RegistryClient client, string repository, string blobPath, string description, ILogger logger, CancellationToken cancellationToken)
    {
        _client = client;
        _repository = repository;
        _blobPath = blobPath;
        _description = description;
        _logger = logger;

        // The file is opened here, under its temporary name, because the layer cache renames it as soon as
        // the build ends, which can be before the registry has opened the upload session.
        var file = new GrowingFileStream(blobPath, SizeWhenBuiltAsync());
        Completion = Task.Run(() => RunAsync(file, cancellationToken), CancellationToken.None);
    }

    /// <summary>Completes when the blob is committed, or the upload gave up. Never faults.</summary>
    public Task Completion { get; }

    /// <summary>Reports that the layer's blob file is complete, flushed and closed.</summary>
    public void Complete(BuiltLayer layer) => _build.TrySetResult(layer);

    /// <summary>Reports that the build failed, which stops the upload and cancels its session.</summary>
    public void Fail(Exception exception)
    {
        _build.TrySetException(exception);

        // The upload may have ended already and never reads the failure, which the build reports anyway.
        _ = _build.Task.Exception;
    }

    /// <summary>The digest of the built blob; null while the build runs or when it failed.</summary>
    public Digest? BuiltDigest => _build.Task.IsCompletedSuccessfully ? _build.Task.Result.Digest : null;

    private string Destination => $"{_client.Registry}/{_repository}";

    private async Task RunAsync(GrowingFileStream file, CancellationToken cancellationToken)
    {
        await using var fileScope = file.ConfigureAwait(false);
        StreamedBlobUpload? session = null;
        try
        {
            session = await StreamedBlobUpload.StartAsync(_client, _repository, cancellationToken).ConfigureAwait(false);
            var layer = await SendAsync(session, file, cancellationToken).ConfigureAwait(false);

            // Another project may have pushed the same blob meanwhile; its copy stays and this one is dropped.
            if (await _client.HasBlobAsync(_repository, layer.Digest, cancellationToken).ConfigureAwait(false))
            {
                await CancelAsync(session).ConfigureAwait(false);
                _logger.LogInformation("blob {Digest} of the {Layer} already exists in {Destination}; cancelled its upload that ran during the build", layer.Digest, _description, Destination);
                return;
            }

            await session.CommitAsync(layer.Digest, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("uploaded blob {Digest} ({Size} bytes) of the {Layer} to {Destination} during its build", layer.Digest, layer.Size, _description, Destination);
        }
        // Any failure, whatever its type, leaves the blob to the image copy, so that this optimization never
        // fails a publish that would succeed without it.
        catch (Exception e)
        {
            if (_build.Task.IsFaulted || _build.Task.IsCanceled)
            {
                _logger.LogDebug("stopped uploading the {Layer} to {Destination} because its build failed", _description, Destination);
            }
            else
            {
                _logger.LogDebug("uploading the {Layer} to {Destination} during its build failed ({Message}); the normal upload follows", _description, Destination, e.Message);
            }

            if (session is not null)
            {
                await CancelAsync(session).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Streams the file until the build ends; returns the built layer once the bytes sent are checked against it.</summary>
    private async Task<BuiltLayer> SendAsync(StreamedBlobUpload session, GrowingFileStream file, CancellationToken cancellationToken)
    {
        using var content = HashingStream.ForReading(file);
        long stored = await session.SendAsync(content, cancellationToken).ConfigureAwait(false);
        var layer = await _build.Task.ConfigureAwait(false);

        // The digest in the commit is the builder's, so the bytes sent must be exactly the ones it hashed.
        if (content.BytesHashed != layer.Size || content.GetDigest() != layer.Digest)
        {
            throw new DigestMismatchException($"the {_description} as read back from {_blobPath} ({content.BytesHashed} bytes)", layer.Digest, content.GetDigest());
        }

        if (stored >= 0 && stored != layer.Size)
        {
            throw new OciException(ErrorCodes.RegistryError, $"{Destination} reports {stored} bytes stored after a streamed upload of {layer.Size} bytes");
        }

        return layer;
    }

    private async Task<long> SizeWhenBuiltAsync() => (await _build.Task.ConfigureAwait(false)).Size;

    // The publish may be cancelled already, so the session gets a few seconds of its own to be deleted.
    // Whatever fails here is only logged, because the registry expires unfinished sessions on its own.
    private async Task CancelAsync(StreamedBlobUpload session)
    {
        using var timeout = new CancellationTokenSource(CancelTimeout);
        try
        {
            await session.CancelAsync(_logger, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogDebug("cancelling an upload session in {Destination} failed ({Message}); the registry expires it later", Destination, e.Message);
        }
    }
}
