using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OciBuild.Core.Errors;
using static OciBuild.Core.Tests.ReferenceGenerators;

namespace OciBuild.Core.Tests;

/// <summary>Properties of <see cref="Digest"/> parsing over generated strings.</summary>
public class DigestProperties
{
    [Property(MaxTest = 500)]
    public Property Sha256_digest_round_trips() => Prop.ForAll(Sha256Digest().ToArbitrary(), digest =>
    {
        var parsed = Digest.Parse(digest.ToString());

        Assert.Equal(digest, parsed);
        Assert.Equal(digest.ToString(), parsed.ToString());
        Assert.Matches("^sha256:[0-9a-f]{64}$", parsed.ToString());
    });

    [Property(MaxTest = 200)]
    public Property Sha512_digest_round_trips() => Prop.ForAll(Sha512Text().ToArbitrary(), text =>
    {
        var parsed = Digest.Parse(text);

        Assert.Equal(Digest.Sha512, parsed.Algorithm);
        Assert.Equal(text, parsed.ToString());
    });

    [Property(MaxTest = 1000)]
    public Property Damaged_digest_raises_InvalidDigestException()
    {
        var damaged = from digest in Sha256Digest()
                      let text = digest.ToString()
                      from damage in Gen.Elements("drop", "add", "upper", "algorithm", "colon", "space")
                      from position in Gen.Choose("sha256:".Length, text.Length - 1)
                      select damage switch
                      {
                          "drop" => text.Remove(position, 1),
                          "add" => text.Insert(position, "a"),
                          "upper" => text[..position] + "ABCDEF"[position % 6] + text[(position + 1)..],
                          "algorithm" => "sha384" + text["sha256".Length..],
                          "colon" => text.Replace(":", "", StringComparison.Ordinal),
                          _ => text + " ",
                      };
        return Prop.ForAll(damaged.ToArbitrary(), text =>
        {
            var error = Assert.Throws<InvalidDigestException>(() => Digest.Parse(text));

            Assert.Equal(ErrorCodes.InvalidDigest, error.Code);
            Assert.False(Digest.TryParse(text, out _));
        });
    }

    [Property(MaxTest = 2000)]
    public Property Any_string_parses_canonically_or_raises_InvalidDigestException()
    {
        var text = Gen.OneOf(
            StringOf("sha256:0123456789abcdefABCDEF", 0, 80),
            StringOf("0123456789abcdef", 60, 68).Select(hex => "sha256:" + hex),
            ArbMap.Default.GeneratorFor<string>());
        return Prop.ForAll(text.ToArbitrary(), value =>
        {
            Digest digest;
            try
            {
                digest = Digest.Parse(value);
            }
            catch (InvalidDigestException error)
            {
                Assert.Equal(ErrorCodes.InvalidDigest, error.Code);
                return;
            }

            Assert.Equal(value, digest.ToString());
        });
    }
}
