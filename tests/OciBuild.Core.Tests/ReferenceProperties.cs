using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OciBuild.Core.Errors;
using static OciBuild.Core.Tests.ReferenceGenerators;

namespace OciBuild.Core.Tests;

/// <summary>Properties of <see cref="ImageReference.Parse"/> over generated references.</summary>
public class ReferenceProperties
{
    private const string ReferenceAlphabet = "abzAZ09.:/@_-[]% \t";

    [Property(MaxTest = 500)]
    public Property Valid_reference_parses() => Prop.ForAll(ValidReference().ToArbitrary(), typed =>
    {
        var reference = ImageReference.Parse(typed.Text);

        string expectedRegistry = typed.Registry ?? ImageReference.DefaultRegistry;
        string expectedRepository = expectedRegistry == ImageReference.DefaultRegistry && !typed.Repository.Contains('/')
            ? "library/" + typed.Repository
            : typed.Repository;
        Assert.Equal(expectedRegistry, reference.Registry);
        Assert.Equal(expectedRepository, reference.Repository);
        Assert.Equal(typed.Tag ?? (typed.Digest is null ? ImageReference.DefaultTag : null), reference.Tag);
        Assert.Equal(typed.Digest, reference.Digest);
    });

    [Property(MaxTest = 500)]
    public Property Parse_of_ToString_is_identity() => Prop.ForAll(ValidReference().ToArbitrary(), typed =>
    {
        var reference = ImageReference.Parse(typed.Text);

        var reparsed = ImageReference.Parse(reference.ToString());

        Assert.Equal(reference, reparsed);
        Assert.Equal(reference.ToString(), reparsed.ToString());
    });

    [Property(MaxTest = 1000)]
    public Property Invalid_reference_raises_InvalidReferenceException() => Prop.ForAll(InvalidReference().ToArbitrary(), invalid =>
    {
        var error = Assert.Throws<InvalidReferenceException>(() => ImageReference.Parse(invalid.Text));

        Assert.Equal(ErrorCodes.InvalidReference, error.Code);
        Assert.False(ImageReference.TryParse(invalid.Text, out _));
    });

    [Property(MaxTest = 2000)]
    public Property Any_string_parses_or_raises_InvalidReferenceException()
    {
        var text = Gen.OneOf(StringOf(ReferenceAlphabet, 0, 40), ArbMap.Default.GeneratorFor<string>().Where(s => s is not null));
        return Prop.ForAll(text.ToArbitrary(), ParseOrRaiseInvalidReference);
    }

    [Property(MaxTest = 1000)]
    public Property Damaged_reference_parses_or_raises_InvalidReferenceException()
    {
        var damaged = from typed in ValidReference()
                      from position in Gen.Choose(0, typed.Text.Length - 1)
                      from replacement in Gen.Elements(ReferenceAlphabet.ToCharArray())
                      select typed.Text[..position] + replacement + typed.Text[(position + 1)..];
        return Prop.ForAll(damaged.ToArbitrary(), ParseOrRaiseInvalidReference);
    }

    // Any exception other than InvalidReferenceException escapes and fails the property.
    private static void ParseOrRaiseInvalidReference(string text)
    {
        ImageReference reference;
        try
        {
            reference = ImageReference.Parse(text);
        }
        catch (InvalidReferenceException error)
        {
            Assert.Equal(ErrorCodes.InvalidReference, error.Code);
            return;
        }

        Assert.Equal(reference, ImageReference.Parse(reference.ToString()));
        _ = reference.IsLoopbackRegistry;
        _ = reference.ShortName;
    }
}
