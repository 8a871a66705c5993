using OciBuild.Core.Errors;

namespace OciBuild.Core.Tests;

/// <summary>
/// Parsing and normalization against the distribution project's reference grammar and its Docker Hub
/// rules (github.com/distribution/reference, regexp.go and normalize.go).
/// </summary>
public class ImageReferenceTests
{
    private const string Sha256Hex = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";
    private const string Sha512Hex = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
    private const string Sha256Digest = "sha256:" + Sha256Hex;

    public static TheoryData<string, string, string, string?, string?> ValidReferences => new()
    {
        // input, registry, repository, tag, digest
        { "helloecho", "docker.io", "library/helloecho", "latest", null },
        { "localhost:5000/a/b:t", "localhost:5000", "a/b", "t", null },
        { "host/a@" + Sha256Digest, "docker.io", "host/a", null, Sha256Digest },
        { "name:tag@" + Sha256Digest, "docker.io", "library/name", "tag", Sha256Digest },
        { "quay.io/org/app:v1.2", "quay.io", "org/app", "v1.2", null },
        { "127.0.0.1:5000/x", "127.0.0.1:5000", "x", "latest", null },
        { "[::1]:5000/x:y", "[::1]:5000", "x", "y", null },
        { "[2001:db8::1]/app", "[2001:db8::1]", "app", "latest", null },
        { "docker.io/user/app", "docker.io", "user/app", "latest", null },
        { "docker.io/app", "docker.io", "library/app", "latest", null },
        { "index.docker.io/app:1", "docker.io", "library/app", "1", null },
        { "index.docker.io/user/app", "docker.io", "user/app", "latest", null },
        { "localhost/app", "localhost", "app", "latest", null },
        { "localhost", "docker.io", "library/localhost", "latest", null },
        { "localhost:5000", "docker.io", "library/localhost", "5000", null },
        { "Registry.Example.com/app", "Registry.Example.com", "app", "latest", null },
        { "Host/app", "Host", "app", "latest", null },
        { "example.com:443/team/sub/app", "example.com:443", "team/sub/app", "latest", null },
        { "a__b/c.d/e--f_g", "docker.io", "a__b/c.d/e--f_g", "latest", null },
        { "app:V1_x.y-z", "docker.io", "library/app", "V1_x.y-z", null },
        { "app:_tag", "docker.io", "library/app", "_tag", null },
        { "example.com/app@sha512:" + Sha512Hex, "example.com", "app", null, "sha512:" + Sha512Hex },
    };

    [Theory]
    [MemberData(nameof(ValidReferences))]
    public void Parse_normalizes_valid_reference(string input, string registry, string repository, string? tag, string? digest)
    {
        var reference = ImageReference.Parse(input);

        Assert.Equal(registry, reference.Registry);
        Assert.Equal(repository, reference.Repository);
        Assert.Equal(tag, reference.Tag);
        Assert.Equal(digest, reference.Digest?.ToString());
    }

    [Theory]
    [InlineData("helloecho", "docker.io/library/helloecho:latest")]
    [InlineData("localhost:5000/a/b:t", "localhost:5000/a/b:t")]
    [InlineData("host/a@" + Sha256Digest, "docker.io/host/a@" + Sha256Digest)]
    [InlineData("name:tag@" + Sha256Digest, "docker.io/library/name:tag@" + Sha256Digest)]
    [InlineData("quay.io/org/app:v1.2", "quay.io/org/app:v1.2")]
    [InlineData("127.0.0.1:5000/x", "127.0.0.1:5000/x:latest")]
    [InlineData("[::1]:5000/x:y", "[::1]:5000/x:y")]
    [InlineData("docker.io/user/app", "docker.io/user/app:latest")]
    [InlineData("index.docker.io/app", "docker.io/library/app:latest")]
    public void ToString_writes_normalized_form(string input, string expected)
    {
        Assert.Equal(expected, ImageReference.Parse(input).ToString());
    }

    public static TheoryData<string> ValidInputs()
    {
        var inputs = new TheoryData<string>();
        foreach (object?[] row in ValidReferences)
        {
            inputs.Add((string)row[0]!);
        }

        return inputs;
    }

    [Theory]
    [MemberData(nameof(ValidInputs))]
    public void ToString_round_trips_through_Parse(string input)
    {
        var reference = ImageReference.Parse(input);
        string text = reference.ToString();

        var reparsed = ImageReference.Parse(text);

        Assert.Equal(reference, reparsed);
        Assert.Equal(text, reparsed.ToString());
    }

    [Theory]
    [InlineData("", "the reference is empty")]
    [InlineData("Hello", "repository name \"Hello\" must be lowercase")]
    [InlineData("library/Hello", "repository name \"library/Hello\" must be lowercase")]
    [InlineData("localhost/Hello", "must be lowercase")]
    [InlineData("quay.io/Org/app", "must be lowercase")]
    [InlineData("a:", "the tag after ':' is empty")]
    [InlineData("a@sha256:abc", "\"sha256:abc\" is not a valid digest")]
    [InlineData("a@sha256:" + "CA978112CA1BBDCAFAC231B39A23DC4DA786EFF8147C4E72B9807785AFEE48BB", "lowercase hex")]
    [InlineData("a@md5:0cc175b9c0f1b6a831c399e269772661", "unsupported algorithm \"md5\"")]
    [InlineData("a@", "\"\" is not a valid digest")]
    [InlineData("a@b@" + Sha256Digest, "is not a valid digest")]
    [InlineData("a//b", "empty path component")]
    [InlineData("a/", "empty path component")]
    [InlineData("/a", "empty path component")]
    [InlineData("-a", "invalid repository path component \"-a\"")]
    [InlineData("a-", "invalid repository path component \"a-\"")]
    [InlineData("a..b", "invalid repository path component \"a..b\"")]
    [InlineData("a___b", "invalid repository path component \"a___b\"")]
    [InlineData("a_-b", "invalid repository path component \"a_-b\"")]
    [InlineData("a:tag:more", "invalid repository path component \"a:tag\"")]
    [InlineData("a:-tag", "invalid tag \"-tag\"")]
    [InlineData("a:.tag", "invalid tag \".tag\"")]
    [InlineData("a:t+g", "invalid tag \"t+g\"")]
    [InlineData(":tag", "no repository name")]
    [InlineData("@" + Sha256Digest, "no repository name")]
    [InlineData("a b", "cannot contain white space")]
    [InlineData(" a", "white space")]
    [InlineData("a\n", "white space")]
    [InlineData("a:\tb", "white space")]
    [InlineData("localhost:port/a", "invalid registry \"localhost:port\"")]
    [InlineData("exa_mple.com/a", "invalid registry \"exa_mple.com\"")]
    [InlineData("-example.com/a", "invalid registry \"-example.com\"")]
    [InlineData("[::ffff:127.0.0.1]:5000/a", "invalid registry \"[::ffff:127.0.0.1]:5000\"")]
    [InlineData(Sha256Hex, "64-character hex string")]
    public void Parse_rejects_invalid_reference(string input, string reason)
    {
        var error = Assert.Throws<InvalidReferenceException>(() => ImageReference.Parse(input));

        Assert.Contains(reason, error.Message);
        Assert.Equal(input, error.Reference);
        Assert.Equal(ErrorCodes.InvalidReference, error.Code);
    }

    [Fact]
    public void Parse_accepts_tag_of_128_characters()
    {
        string tag = "t" + new string('x', 127);

        Assert.Equal(tag, ImageReference.Parse("app:" + tag).Tag);
    }

    [Fact]
    public void Parse_rejects_tag_of_129_characters()
    {
        string tag = "t" + new string('x', 128);

        var error = Assert.Throws<InvalidReferenceException>(() => ImageReference.Parse("app:" + tag));

        Assert.Contains("1 to 128 characters", error.Message);
    }

    [Fact]
    public void Parse_accepts_name_of_255_characters()
    {
        // "localhost:5000/" is 15 characters, so the repository may have 240.
        string input = "localhost:5000/" + new string('a', 240);

        Assert.Equal(255, ImageReference.Parse(input).Name.Length);
    }

    [Fact]
    public void Parse_rejects_name_of_256_characters()
    {
        string input = "localhost:5000/" + new string('a', 241) + ":tag";

        var error = Assert.Throws<InvalidReferenceException>(() => ImageReference.Parse(input));

        Assert.Contains("is 256 characters long, over the maximum of 255", error.Message);
    }

    [Fact]
    public void Parse_counts_library_prefix_in_name_length()
    {
        // "docker.io/library/" adds 18 characters to a single-component name.
        string atLimit = new string('a', 255 - 18);
        string overLimit = new string('a', 256 - 18);

        Assert.Equal(255, ImageReference.Parse(atLimit).Name.Length);
        Assert.Throws<InvalidReferenceException>(() => ImageReference.Parse(overLimit));
    }

    [Fact]
    public void Parse_rejects_null()
    {
        Assert.Throws<ArgumentNullException>(() => ImageReference.Parse(null!));
    }

    [Fact]
    public void TryParse_returns_reference_for_valid_input()
    {
        bool parsed = ImageReference.TryParse("quay.io/org/app:v1", out var reference);

        Assert.True(parsed);
        Assert.Equal("quay.io/org/app:v1", reference?.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("Hello")]
    [InlineData(null)]
    public void TryParse_returns_false_for_invalid_input(string? input)
    {
        bool parsed = ImageReference.TryParse(input, out var reference);

        Assert.False(parsed);
        Assert.Null(reference);
    }

    [Theory]
    [InlineData("helloecho", "docker.io/library/helloecho")]
    [InlineData("localhost:5000/a/b:t", "localhost:5000/a/b")]
    [InlineData("name:tag@" + Sha256Digest, "docker.io/library/name")]
    public void Name_omits_tag_and_digest(string input, string expected)
    {
        Assert.Equal(expected, ImageReference.Parse(input).Name);
    }

    [Theory]
    [InlineData("app", "latest")]
    [InlineData("app:v2", "v2")]
    [InlineData("app@" + Sha256Digest, Sha256Digest)]
    [InlineData("app:v2@" + Sha256Digest, Sha256Digest)]
    public void TagOrDigest_prefers_digest(string input, string expected)
    {
        Assert.Equal(expected, ImageReference.Parse(input).TagOrDigest);
    }

    [Theory]
    [InlineData("helloecho", "helloecho")]
    [InlineData("localhost:5000/a/b:t", "b")]
    [InlineData("quay.io/org/team/app@" + Sha256Digest, "app")]
    public void ShortName_is_last_path_component(string input, string expected)
    {
        Assert.Equal(expected, ImageReference.Parse(input).ShortName);
    }

    [Theory]
    [InlineData("helloecho", "registry-1.docker.io")]
    [InlineData("index.docker.io/user/app", "registry-1.docker.io")]
    [InlineData("quay.io/org/app", "quay.io")]
    [InlineData("localhost:5000/app", "localhost:5000")]
    public void RegistryEndpoint_maps_docker_hub_to_api_host(string input, string expected)
    {
        Assert.Equal(expected, ImageReference.Parse(input).RegistryEndpoint);
    }

    [Theory]
    [InlineData("localhost/app", true)]
    [InlineData("localhost:5000/app", true)]
    [InlineData("LocalHost:5000/app", true)]
    [InlineData("127.0.0.1/app", true)]
    [InlineData("127.0.0.1:5000/app", true)]
    [InlineData("127.8.9.10:5000/app", true)]
    [InlineData("[::1]/app", true)]
    [InlineData("[::1]:5000/app", true)]
    [InlineData("[0:0:0:0:0:0:0:1]:5000/app", true)]
    [InlineData("app", false)]
    [InlineData("quay.io/app", false)]
    [InlineData("localhost.example.com/app", false)]
    [InlineData("127.example.com/app", false)]
    [InlineData("127.0.0.1.example.com:5000/app", false)]
    [InlineData("128.0.0.1:5000/app", false)]
    [InlineData("[::2]:5000/app", false)]
    public void IsLoopbackRegistry_detects_this_machine(string input, bool expected)
    {
        Assert.Equal(expected, ImageReference.Parse(input).IsLoopbackRegistry);
    }

    [Theory]
    [InlineData("latest", true)]
    [InlineData("1.0_rc-2", true)]
    [InlineData("bad:tag", false)]
    [InlineData(".hidden", false)]
    [InlineData("", false)]
    public void IsValidTag_follows_tag_grammar(string tag, bool valid)
    {
        Assert.Equal(valid, ImageReference.IsValidTag(tag));
    }

    [Fact]
    public void WithTag_replaces_tag()
    {
        var reference = ImageReference.Parse("localhost:5000/app:1");

        var retagged = reference.WithTag("2");

        Assert.Equal("localhost:5000/app:2", retagged.ToString());
    }

    [Fact]
    public void WithTag_drops_digest()
    {
        var reference = ImageReference.Parse("localhost:5000/app:1@" + Sha256Digest);

        var retagged = reference.WithTag("2");

        Assert.Null(retagged.Digest);
        Assert.Equal("2", retagged.TagOrDigest);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-x")]
    [InlineData("a b")]
    [InlineData("v1\n")]
    [InlineData("t+g")]
    public void WithTag_rejects_invalid_tag(string tag)
    {
        var reference = ImageReference.Parse("app");

        var error = Assert.Throws<InvalidReferenceException>(() => reference.WithTag(tag));

        Assert.Contains("invalid tag", error.Message);
    }

    [Fact]
    public void WithTag_rejects_tag_of_129_characters()
    {
        var reference = ImageReference.Parse("app");

        Assert.Throws<InvalidReferenceException>(() => reference.WithTag("t" + new string('x', 128)));
    }

    [Fact]
    public void WithDigest_replaces_tag_with_digest()
    {
        var reference = ImageReference.Parse("quay.io/org/app:v1");

        var pinned = reference.WithDigest(Digest.Parse(Sha256Digest));

        Assert.Equal("quay.io/org/app@" + Sha256Digest, pinned.ToString());
        Assert.Null(pinned.Tag);
        Assert.Equal(Sha256Digest, pinned.TagOrDigest);
    }

    [Fact]
    public void WithDigest_result_round_trips()
    {
        var pinned = ImageReference.Parse("app").WithDigest(Digest.Parse(Sha256Digest));

        Assert.Equal(pinned, ImageReference.Parse(pinned.ToString()));
    }

    [Theory]
    [InlineData("app:1", "localhost:5000", "localhost:5000/library/app:1")]
    [InlineData("localhost:5000/app:1", "docker.io", "docker.io/library/app:1")]
    [InlineData("localhost:5000/app:1", "index.docker.io", "docker.io/library/app:1")]
    [InlineData("quay.io/org/app", "[::1]:5000", "[::1]:5000/org/app:latest")]
    [InlineData("quay.io/org/app@" + Sha256Digest, "localhost", "localhost/org/app@" + Sha256Digest)]
    [InlineData("quay.io/org/app:v1@" + Sha256Digest, "example.com", "example.com/org/app:v1@" + Sha256Digest)]
    public void WithRegistry_keeps_repository_tag_and_digest(string input, string registry, string expected)
    {
        Assert.Equal(expected, ImageReference.Parse(input).WithRegistry(registry).ToString());
    }

    [Theory]
    [InlineData("myhost")]
    [InlineData("")]
    [InlineData("localhost:5000/mirror")]
    [InlineData("exa_mple.com")]
    public void WithRegistry_rejects_non_registry(string registry)
    {
        var reference = ImageReference.Parse("quay.io/org/app");

        var error = Assert.Throws<InvalidReferenceException>(() => reference.WithRegistry(registry));

        Assert.Contains($"\"{registry}\"", error.Message);
    }
}
