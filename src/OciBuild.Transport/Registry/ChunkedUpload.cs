using System.Net;
using Microsoft.Extensions.Logging;
using OciBuild.Core.Errors;

namespace OciBuild.Transport.Registry;

/// <summary>
/// Sends a blob as PATCH chunks to one upload session. A chunk that fails on the network or with a
/// retryable status is not re-sent blindly, because the registry may have stored part of it: the upload
/// requests the registry's offset (<c>GET</c> on the session, <c>Range</c> header) and goes on from there.
/// </summary>
internal sealed class ChunkedUpload
{
    /// <summary>Resumes allowed per blob; replies that do not advance the offset count too, so a stuck registry cannot loop.</summary>
    public const int MaxResumes = 5;

    private readonly RegistryClient _client;
    private readonly Stream _content;
    private readonly string _scope;
    private readonly string _action;
    private readonly ILogger _logger;

    public ChunkedUpload(RegistryClient client, Uri location, Stream content, string scope, string action, ILogger logger)
    {
        _client = client;
        Location = location;
        _content = content;
        _scope = scope;
        _action = action;
        _logger = logger;
    }

    /// <summary>The session's current location; each reply may move it.</summary>
    public Uri Location { get; private set; }

    /// <summary>Sends every byte of a blob of <paramref name="size"/> bytes; returns the offset reached, which is <paramref name="size"/>.</summary>
    public async Task<long> SendAsync(long size, long chunkSize, CancellationToken cancellationToken)
    {
        int resumes = 0;
        for (long chunkStart = 0; chunkStart < size; chunkStart += chunkSize)
        {
            long chunkEnd = Math.Min(chunkStart + chunkSize, size);

            // The source can be read only once, as a stream. Spooling each chunk to a temporary file lets a failed
            // chunk be sent again from any offset inside it, without holding the chunk in memory.
            await using var spool = await SpoolAsync(chunkEnd - chunkStart, cancellationToken).ConfigureAwait(false);
            long offset = chunkStart;
            while (offset < chunkEnd)
            {
                spool.Position = offset - chunkStart;
                string? failure = await TrySendAsync(spool, offset, chunkEnd - offset, cancellationToken).ConfigureAwait(false);
                if (failure is null)
                {
                    offset = chunkEnd;
                    break;
                }

                if (++resumes > MaxResumes)
                {
                    throw new OciException(ErrorCodes.RegistryError, $"{_action}: gave up after {MaxResumes} resumed chunks without finishing; last failure: {failure}");
                }

                var delay = TimeSpan.FromMilliseconds(100 * (1 << resumes));
                _logger.LogWarning("{Action}: chunk at byte {Offset} failed ({Failure}); resuming in {Delay} ms (resume {Resume} of {MaxResumes})", _action, offset, failure, (int)delay.TotalMilliseconds, resumes, MaxResumes);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);

                long stored = await QueryOffsetAsync(cancellationToken).ConfigureAwait(false);
                if (stored < chunkStart || stored > chunkEnd)
                {
                    throw new OciException(ErrorCodes.RegistryError, $"{_action}: the registry reports {stored} bytes stored, outside the chunk being sent (bytes {chunkStart} to {chunkEnd}); the upload cannot resume");
                }

                offset = stored;
            }
        }

        return size;
    }

    /// <summary>Sends bytes from <paramref name="offset"/> to the end of the chunk; returns null on success, else why it failed in a way worth resuming.</summary>
    private async Task<string?> TrySendAsync(Stream spool, long offset, long length, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _client.PatchChunkAsync(Location, spool, offset, length, _scope, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                Location = RegistryClient.ResolveLocation(response, _action);
                long stored = RangeEnd(response) + 1 ?? offset + length;
                return stored == offset + length ? null : $"the registry reports {stored} bytes stored after a chunk that ends at byte {offset + length}";
            }

            if (RetryPolicy.IsRetried(response.StatusCode))
            {
                return $"status {(int)response.StatusCode}";
            }

            throw await _client.FailUploadAsync(response, $"{_action} (chunk at byte {offset})", cancellationToken).ConfigureAwait(false);
        }
        catch (OciException e) when (e.Code == ErrorCodes.RegistryUnreachable)
        {
            return e.InnerException?.Message ?? e.Message;
        }
    }

    private async Task<FileStream> SpoolAsync(long length, CancellationToken cancellationToken)
    {
        var spool = new FileStream(
            Path.Combine(Path.GetTempPath(), $"ocibuild-chunk-{Guid.NewGuid():N}"),
            FileMode.CreateNew,
            FileAccess.ReadWrite,
            FileShare.None,
            bufferSize: 81920,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await new SubStream(_content, length).CopyToAsync(spool, cancellationToken).ConfigureAwait(false);
            if (spool.Length != length)
            {
                throw new OciException(ErrorCodes.DigestMismatch, $"{_action}: the source ended after {spool.Length} of {length} bytes of a chunk");
            }

            return spool;
        }
        catch
        {
            await spool.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Returns how many bytes the registry holds for the session, from the <c>Range</c> header of <c>GET</c> on it.</summary>
    private async Task<long> QueryOffsetAsync(CancellationToken cancellationToken)
    {
        using var response = await _client.GetUploadStatusAsync(Location, _scope, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NoContent && response.StatusCode != HttpStatusCode.OK)
        {
            throw await _client.FailUploadAsync(response, $"{_action} (checking the upload's offset to resume)", cancellationToken).ConfigureAwait(false);
        }

        if (response.Headers.Location is not null)
        {
            Location = RegistryClient.ResolveLocation(response, _action);
        }

        // NOTE: distribution returns "0-0" both for an empty session and for one with one byte stored. This
        // takes it as empty, so a registry with one byte would reject the resumed chunk with 416.
        long? end = RangeEnd(response);
        return end is null or 0 ? 0 : end.Value + 1;
    }

    /// <summary>Reads the last byte index from a <c>Range: 0-END</c> (or <c>bytes=0-END</c>) header; null when absent or malformed.</summary>
    internal static long? RangeEnd(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Range", out var values))
        {
            return null;
        }

        string text = values.First();
        int dash = text.LastIndexOf('-');
        return dash >= 0 && long.TryParse(text.AsSpan(dash + 1), out long end) && end >= 0 ? end : null;
    }
}
