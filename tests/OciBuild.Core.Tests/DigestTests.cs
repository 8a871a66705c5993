using System.Diagnostics;
using System.Text;
using System.Text.Json;
using OciBuild.Core.Errors;

namespace OciBuild.Core.Tests;

public class DigestTests
{
    // Expected values below were produced with coreutils sha256sum and sha512sum.
    private const string EmptySha256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string AbcSha256 = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private const string AbcSha512 = "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

    public static TheoryData<string, string> KnownVectors => new()
    {
        { "", EmptySha256 },
        { "abc", AbcSha256 },
        { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
        { new string('x', 1_000_000), "sha256:1b977e9f84f1b26b6ed7f68b0498faee2385ea4125bd29adce4a7d9106ba3134" },
    };

    [Theory]
    [InlineData(EmptySha256, "sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData(AbcSha512, "sha512", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")]
    public void Parse_splits_algorithm_and_hex(string text, string algorithm, string encoded)
    {
        var digest = Digest.Parse(text);

        Assert.Equal(algorithm, digest.Algorithm);
        Assert.Equal(encoded, digest.Encoded);
        Assert.Equal(text, digest.ToString());
    }

    [Theory]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "lowercase hex")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852B855", "lowercase hex")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", "exactly 64")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550", "exactly 64")]
    [InlineData("sha256:", "exactly 64")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g", "lowercase hex")]
    [InlineData("sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "exactly 128")]
    [InlineData("md5:0cc175b9c0f1b6a831c399e269772661", "unsupported algorithm \"md5\"")]
    [InlineData("sha384:38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b", "unsupported algorithm \"sha384\"")]
    [InlineData("SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "unsupported algorithm \"SHA256\"")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "expected the form")]
    [InlineData(":e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "expected the form")]
    [InlineData("", "a digest is required")]
    public void Parse_rejects_malformed_digest(string text, string reason)
    {
        var error = Assert.Throws<InvalidDigestException>(() => Digest.Parse(text));

        Assert.Contains(reason, error.Message);
        Assert.Contains($"\"{text}\"", error.Message);
        Assert.Equal(ErrorCodes.InvalidDigest, error.Code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sha256:abc")]
    [InlineData(" sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public void TryParse_returns_false_for_invalid_text(string? text)
    {
        Assert.False(Digest.TryParse(text, out _));
    }

    [Theory]
    [MemberData(nameof(KnownVectors))]
    public void Compute_matches_sha256sum(string content, string expected)
    {
        Assert.Equal(expected, Digest.Compute(Encoding.UTF8.GetBytes(content)).ToString());
    }

    [Theory]
    [MemberData(nameof(KnownVectors))]
    public async Task ComputeAsync_matches_sha256sum(string content, string expected)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(content));

        var digest = await Digest.ComputeAsync(stream, CancellationToken.None);

        Assert.Equal(expected, digest.ToString());
    }

    [Fact]
    public async Task Compute_agrees_with_sha256sum_process()
    {
        // Several MiB with an odd length, from a fixed seed so that a failure reproduces.
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(20240501).NextBytes(content);
        string path = Path.Combine(Path.GetTempPath(), $"ocibuild-digest-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(path, content);

        try
        {
            string expected = "sha256:" + (await RunSha256SumAsync(path))[..64];
            await using var stream = File.OpenRead(path);

            Assert.Equal(expected, Digest.Compute(content).ToString());
            Assert.Equal(expected, (await Digest.ComputeAsync(stream, CancellationToken.None)).ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task ComputeAsync_observes_cancellation()
    {
        using var stream = new MemoryStream(new byte[1024]);
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Digest.ComputeAsync(stream, cancellation.Token));
    }

    [Fact]
    public void FromSha256Hash_rejects_wrong_length()
    {
        Assert.Throws<ArgumentException>(() => Digest.FromSha256Hash(new byte[20]));
    }

    [Fact]
    public void Verify_accepts_matching_content()
    {
        var digest = Digest.Parse(AbcSha256);

        var error = Record.Exception(() => digest.Verify("abc"u8, "blob"));

        Assert.Null(error);
    }

    [Fact]
    public void Verify_accepts_matching_sha512_content()
    {
        var digest = Digest.Parse(AbcSha512);

        var error = Record.Exception(() => digest.Verify("abc"u8, "blob"));

        Assert.Null(error);
    }

    [Fact]
    public void Verify_raises_DigestMismatchException()
    {
        var expected = Digest.Parse(EmptySha256);

        var error = Assert.Throws<DigestMismatchException>(() => expected.Verify("abc"u8, "layer 2 of app:1"));

        Assert.Equal(expected, error.Expected);
        Assert.Equal(AbcSha256, error.Actual.ToString());
        Assert.Equal(ErrorCodes.DigestMismatch, error.Code);
        Assert.StartsWith("layer 2 of app:1: ", error.Message);
        Assert.Contains(EmptySha256, error.Message);
        Assert.Contains(AbcSha256, error.Message);
    }

    [Fact]
    public void Verify_sha512_mismatch_reports_sha512_actual()
    {
        var expected = Digest.Parse(AbcSha512);

        var error = Assert.Throws<DigestMismatchException>(() => expected.Verify("abd"u8, "blob"));

        Assert.Equal(Digest.Sha512, error.Actual.Algorithm);
    }

    [Fact]
    public void ShortId_is_first_twelve_hex_characters()
    {
        Assert.Equal("ba7816bf8f01", Digest.Parse(AbcSha256).ShortId);
    }

    [Fact]
    public void Json_round_trips_as_string()
    {
        var digest = Digest.Parse(AbcSha256);

        string json = JsonSerializer.Serialize(digest);

        Assert.Equal($"\"{AbcSha256}\"", json);
        Assert.Equal(digest, JsonSerializer.Deserialize<Digest>(json));
    }

    [Theory]
    [InlineData("\"sha256:abc\"", "sha256:abc")]
    [InlineData("\"md5:0cc175b9c0f1b6a831c399e269772661\"", "unsupported algorithm \"md5\"")]
    [InlineData("null", "a digest is required")]
    [InlineData("42", "$.config.digest")]
    public void Bad_digest_in_manifest_raises_OciException(string digestJson, string expectedText)
    {
        string json = $$"""
            {"schemaVersion":2,"config":{"mediaType":"{{MediaTypes.OciConfig}}","digest":{{digestJson}},"size":2},"layers":[]}
            """;

        var error = Assert.Throws<OciException>(() => OciJson.Deserialize<ImageManifest>(Encoding.UTF8.GetBytes(json), "manifest of app:1"));

        Assert.Equal(ErrorCodes.InvalidManifest, error.Code);
        Assert.StartsWith("manifest of app:1 ", error.Message);
        Assert.Contains(expectedText, error.Message);
    }

    [Fact]
    public void Bad_digest_in_manifest_names_its_json_path()
    {
        string json = $$"""
            {"schemaVersion":2,"config":{"mediaType":"{{MediaTypes.OciConfig}}","digest":"{{EmptySha256}}","size":2},"layers":[{"mediaType":"{{MediaTypes.OciLayerGzip}}","digest":"sha256:XYZ","size":1}]}
            """;

        var error = Assert.Throws<OciException>(() => OciJson.Deserialize<ImageManifest>(Encoding.UTF8.GetBytes(json), "manifest"));

        Assert.Contains("$.layers[0].digest", error.Message);
    }

    [Fact]
    public void Bad_diff_id_in_config_raises_config_error()
    {
        const string json = """{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0"]}}""";

        var error = Assert.Throws<OciException>(() => OciJson.Deserialize<ImageConfig>(Encoding.UTF8.GetBytes(json), "config"));

        Assert.Equal(ErrorCodes.InvalidConfig, error.Code);
        Assert.Contains("\"sha256:0\"", error.Message);
    }

    private static async Task<string> RunSha256SumAsync(string path)
    {
        var start = new ProcessStartInfo("sha256sum") { RedirectStandardOutput = true };
        start.ArgumentList.Add(path);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("sha256sum did not start");
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        return output;
    }
}
