using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Transport.Building;

/// <summary>
/// Base image configs kept in a folder by digest, so that a publish whose base image still resolves to the
/// same manifest reads the config from disk instead of downloading it again. A stale base image cannot come
/// from here, because the tag is resolved on every publish and a moved tag names another config digest.
/// Every read is checked against the digest, and a damaged file counts as a miss.
/// </summary>
public sealed class BaseConfigCache
{
    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public BaseConfigCache(string directory, ILogger logger)
    {
        _directory = directory;
        _logger = logger;
    }

    /// <summary>Returns the cached bytes of <paramref name="config"/>, or null when the file is missing or does not match the descriptor's size and digest.</summary>
    public byte[]? TryRead(Descriptor config)
    {
        string path = PathFor(config.Digest);
        MarkUsed(path);
        byte[] bytes;
        try
        {
            if (new FileInfo(path) is not { Exists: true } file || file.Length != config.Size)
            {
                return null;
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        try
        {
            config.Digest.Verify(bytes, $"cached base image config {path}");
            return bytes;
        }
        catch (DigestMismatchException e)
        {
            // The caller downloads the config again and writes it over this file.
            _logger.LogDebug("ignoring the cached base image config {Path}: {Message}", path, e.Message);
            return null;
        }
    }

    /// <summary>Stores <paramref name="bytes"/>, already verified against <paramref name="config"/>, under its digest.</summary>
    public void Write(Descriptor config, byte[] bytes)
    {
        string path = PathFor(config.Digest);
        MarkUsed(path);

        // Written to a temporary file and renamed, so that a reader never sees part of a config.
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            Directory.CreateDirectory(_directory);
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The cache only saves a download, so a full disk or a read-only obj folder must not fail the publish.
            _logger.LogDebug("could not cache the base image config {Digest} in {Directory}: {Message}", config.Digest, _directory, e.Message);
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Deletes the configs that this publish did not read or write, so that the folder does not grow with every base image update.</summary>
    public void RemoveUnused()
    {
        if (!Directory.Exists(_directory))
        {
            return;
        }

        foreach (string path in Directory.EnumerateFiles(_directory))
        {
            bool used;
            lock (_used)
            {
                used = _used.Contains(path);
            }

            if (!used)
            {
                File.Delete(path);
            }
        }
    }

    // A Digest is sha256 or sha512 with lowercase hex only, so the name is a safe file name.
    private string PathFor(Digest digest) => Path.Combine(_directory, $"{digest.Algorithm}-{digest.Encoded}.json");

    private void MarkUsed(string path)
    {
        lock (_used)
        {
            _used.Add(path);
        }
    }
}
