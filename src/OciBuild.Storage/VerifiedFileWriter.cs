using System.Security.Cryptography;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Storage;

/// <summary>
/// Writes content that must hash to a known sha256 digest: into a temporary file beside the target,
/// hashing while writing, then renamed into place only when the digest matches. A reader therefore
/// never sees a partial or wrong file under the target's name, and a failed write leaves nothing.
/// </summary>
public static class VerifiedFileWriter
{
    /// <param name="temporaryPath">A path in the target's folder, so that the final rename is atomic.</param>
    /// <param name="what">What is written, for the mismatch message, such as "blob X to the local store".</param>
    /// <param name="flushToDisk">Whether to force the data to disk before the rename, for stores that must survive a power loss.</param>
    public static async Task WriteAsync(Stream content, Digest expected, string targetPath, string temporaryPath, string what, bool flushToDisk, CancellationToken cancellationToken)
    {
        if (expected.Algorithm != Digest.Sha256)
        {
            throw new InvalidDigestException(expected.ToString(), $"only sha256 content can be verified while writing {what}");
        }

        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                byte[] buffer = new byte[1 << 16];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }

                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flushToDisk)
                {
                    file.Flush(flushToDisk: true);
                }
            }

            var actual = Digest.FromSha256Hash(hash.GetHashAndReset());
            if (actual != expected)
            {
                throw new DigestMismatchException($"writing {what}", expected, actual);
            }

            File.Move(temporaryPath, targetPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporaryPath);
        }
    }
}
