using System.Security.Cryptography;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Core.IO;

namespace OciBuild.Storage;

/// <summary>
/// A read-only stream that hashes what passes through it and, at the end of the content, raises
/// <see cref="DigestMismatchException"/> when the bytes do not match the expected digest or size.
/// Readers therefore never act on a complete blob that was corrupted at rest or in transit.
/// </summary>
public sealed class VerifyingStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly Digest _expected;
    private readonly long _expectedSize;
    private readonly string _what;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _position;
    private bool _verified;

    /// <param name="expectedSize">The size the content must have, or -1 when unknown.</param>
    public VerifyingStream(Stream inner, Digest expected, long expectedSize, string what)
    {
        if (expected.Algorithm != Digest.Sha256)
        {
            throw new InvalidDigestException(expected.ToString(), "only sha256 content can be verified");
        }

        _inner = inner;
        _expected = expected;
        _expectedSize = expectedSize;
        _what = what;
    }

    public override long Length => _expectedSize >= 0 ? _expectedSize : throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        // A zero-byte read returns 0 before the end of the content too, so it must not trigger verification.
        if (buffer.IsEmpty)
        {
            return _inner.Read(buffer);
        }

        int read = _inner.Read(buffer);
        Account(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..read]);
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Account(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0)
        {
            VerifyAtEnd();
            return;
        }

        _hash.AppendData(data);
        _position += data.Length;
        if (_expectedSize >= 0 && _position > _expectedSize)
        {
            throw new OciException(ErrorCodes.DigestMismatch, $"{_what}: more than the expected {_expectedSize} bytes");
        }
    }

    private void VerifyAtEnd()
    {
        if (_verified)
        {
            return;
        }

        _verified = true;
        if (_expectedSize >= 0 && _position != _expectedSize)
        {
            throw new OciException(ErrorCodes.DigestMismatch, $"{_what}: expected {_expectedSize} bytes but got {_position}");
        }

        var actual = Digest.FromSha256Hash(_hash.GetHashAndReset());
        if (actual != _expected)
        {
            throw new DigestMismatchException(_what, _expected, actual);
        }
    }
}
