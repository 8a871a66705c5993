using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using OciBuild.Core.Errors;

namespace OciBuild.Core;

/// <summary>
/// A content digest as the OCI image spec defines it: <c>algorithm:encoded</c>. Only sha256 and sha512
/// with lowercase hex of the full length are accepted, because those are the registered algorithms.
/// </summary>
[JsonConverter(typeof(DigestJsonConverter))]
public readonly record struct Digest
{
    public const string Sha256 = "sha256";
    public const string Sha512 = "sha512";

    private Digest(string algorithm, string encoded)
    {
        Algorithm = algorithm;
        Encoded = encoded;
    }

    public string Algorithm { get; }

    /// <summary>The lowercase hex part after the colon.</summary>
    public string Encoded { get; }

    public static Digest Parse(string value)
    {
        if (TryParse(value, out var digest, out var reason))
        {
            return digest;
        }

        throw new InvalidDigestException(value, reason);
    }

    public static bool TryParse(string? value, out Digest digest) => TryParse(value, out digest, out _);

    /// <summary>Parses <paramref name="value"/>, setting <paramref name="reason"/> to why it is invalid when it is.</summary>
    internal static bool TryParse(string? value, out Digest digest, out string reason)
    {
        digest = default;
        if (string.IsNullOrEmpty(value))
        {
            reason = "a digest is required";
            return false;
        }

        int colon = value.IndexOf(':');
        if (colon <= 0)
        {
            reason = "expected the form sha256:<64 lowercase hex characters>";
            return false;
        }

        string algorithm = value[..colon];
        string encoded = value[(colon + 1)..];
        int expectedLength = algorithm switch
        {
            Sha256 => 64,
            Sha512 => 128,
            _ => -1,
        };
        if (expectedLength < 0)
        {
            reason = $"unsupported algorithm \"{algorithm}\" (use sha256 or sha512)";
            return false;
        }

        if (encoded.Length != expectedLength || !IsLowercaseHex(encoded))
        {
            reason = $"a {algorithm} digest has exactly {expectedLength} lowercase hex characters after the colon";
            return false;
        }

        digest = new Digest(algorithm, encoded);
        reason = "";
        return true;
    }

    public static Digest FromSha256Hash(ReadOnlySpan<byte> hash)
    {
        if (hash.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException($"a sha256 hash has {SHA256.HashSizeInBytes} bytes, got {hash.Length}", nameof(hash));
        }

        return new Digest(Sha256, Convert.ToHexString(hash).ToLowerInvariant());
    }

    public static Digest Compute(ReadOnlySpan<byte> content) => FromSha256Hash(SHA256.HashData(content));

    public static async Task<Digest> ComputeAsync(Stream content, CancellationToken cancellationToken)
    {
        byte[] hash = await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false);
        return FromSha256Hash(hash);
    }

    /// <summary>Checks that <paramref name="content"/> hashes to this digest.</summary>
    /// <exception cref="DigestMismatchException">The content hashes to another digest.</exception>
    public void Verify(ReadOnlySpan<byte> content, string what)
    {
        var actual = Algorithm == Sha512
            ? new Digest(Sha512, Convert.ToHexString(SHA512.HashData(content)).ToLowerInvariant())
            : Compute(content);
        if (actual != this)
        {
            throw new DigestMismatchException(what, this, actual);
        }
    }

    /// <summary>Returns the first twelve hex characters, as image tools show image IDs.</summary>
    public string ShortId => Encoded.Length > 12 ? Encoded[..12] : Encoded;

    public override string ToString() => Algorithm is null ? "" : $"{Algorithm}:{Encoded}";

    private static bool IsLowercaseHex(string value)
    {
        foreach (char c in value)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}

internal sealed class DigestJsonConverter : JsonConverter<Digest>
{
    public override Digest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? value = reader.GetString();
        if (!Digest.TryParse(value, out var digest, out string reason))
        {
            string valueText = value is null ? "null" : $"\"{value}\"";
            throw new JsonException($"invalid digest {valueText}: {reason}");
        }

        return digest;
    }

    public override void Write(Utf8JsonWriter writer, Digest value, JsonSerializerOptions options)
        => writer.WriteStringValue(value.ToString());
}
