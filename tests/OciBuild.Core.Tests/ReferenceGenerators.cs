using FsCheck;
using FsCheck.Fluent;

namespace OciBuild.Core.Tests;

/// <summary>FsCheck generators of valid and invalid image references and digests.</summary>
internal static class ReferenceGenerators
{
    private const string LowerAlphanumeric = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const string TagFirst = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";
    private const string TagRest = TagFirst + ".-";
    private const string Hex = "0123456789abcdef";

    /// <summary>A reference as a user types it, with the parts it was made of.</summary>
    public sealed record TypedReference(string Text, string? Registry, string Repository, string? Tag, Digest? Digest)
    {
        public override string ToString() => Text;
    }

    public static Gen<string> StringOf(string alphabet, int minLength, int maxLength)
        => from length in Gen.Choose(minLength, maxLength)
           from chars in Gen.ArrayOf(Gen.Elements(alphabet.ToCharArray()), length)
           select new string(chars);

    /// <summary>A path component of the distribution grammar: alphanumeric runs joined by '.', '_', '__' or dashes.</summary>
    public static Gen<string> PathComponent(bool allowDots)
    {
        var separator = allowDots ? Gen.Elements(".", "_", "__", "-", "---") : Gen.Elements("_", "__", "-", "---");
        var run = StringOf(LowerAlphanumeric, 1, 8);
        return from first in run
               from count in Gen.Choose(0, 2)
               from rest in Gen.ListOf(from s in separator from r in run select s + r, count)
               select first + string.Concat(rest);
    }

    public static Gen<string> Registry()
    {
        var label = from first in StringOf("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 1, 1)
                    from middle in StringOf("abcdefghijklmnopqrstuvwxyz0123456789-", 0, 6)
                    from last in StringOf(LowerAlphanumeric, 1, 1)
                    select first + middle + last;
        var domain = from labels in Gen.ListOf(label, 2)
                     from more in Gen.ListOf(label, 1)
                     select string.Join('.', labels.Concat(more));
        var port = Gen.Choose(1, 65535).Select(p => ":" + p);
        var optionalPort = Gen.OneOf(Gen.Constant(""), port);
        return Gen.OneOf(
            Gen.Constant("localhost"),
            port.Select(p => "localhost" + p),
            from d in domain from p in optionalPort select d + p,
            from a in Gen.Choose(0, 255) from b in Gen.Choose(0, 255) from p in optionalPort select $"127.{a}.{b}.1{p}",
            optionalPort.Select(p => "[::1]" + p),
            label.Select(l => l + ":5000"));
    }

    public static Gen<string> Tag() => from first in StringOf(TagFirst, 1, 1) from rest in StringOf(TagRest, 0, 30) select first + rest;

    public static Gen<Digest> Sha256Digest() => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 32).Select(bytes => Digest.FromSha256Hash(bytes));

    public static Gen<string> Sha512Text() => StringOf(Hex, 128, 128).Select(hex => "sha512:" + hex);

    public static Gen<TypedReference> ValidReference()
    {
        var optionalRegistry = Gen.OneOf(Gen.Constant<string?>(null), Registry().Select(r => (string?)r));
        var optionalTag = Gen.OneOf(Gen.Constant<string?>(null), Tag().Select(t => (string?)t));
        var optionalDigest = Gen.OneOf(Gen.Constant<Digest?>(null), Sha256Digest().Select(d => (Digest?)d));

        return from registry in optionalRegistry

               // Without a registry, a first component with a '.' would be read as a registry.
               from first in PathComponent(allowDots: registry is not null).Where(c => c != "localhost")
               from count in Gen.Choose(0, 2)
               from rest in Gen.ListOf(PathComponent(allowDots: true), count)
               from tag in optionalTag
               from digest in optionalDigest
               let repository = string.Join('/', rest.Prepend(first))
               let text = (registry is null ? "" : registry + "/") + repository + (tag is null ? "" : ":" + tag) + (digest is null ? "" : "@" + digest)
               select new TypedReference(text, registry, repository, tag, digest);
    }

    /// <summary>Strings that break one rule of the reference grammar each, with the rule they break.</summary>
    public static Gen<(string Text, string Rule)> InvalidReference()
    {
        var valid = ValidReference();
        var repository = from registry in Registry() from component in PathComponent(allowDots: true) select (registry, component);
        return Gen.OneOf(
            from r in valid
            from position in Gen.Choose(0, r.Text.Length)
            from space in Gen.Elements(' ', '\t', '\n', '\r', '\u00A0', '\u2003')
            select (r.Text.Insert(position, space.ToString()), "white space"),
            from r in repository
            from position in Gen.Choose(0, r.component.Length - 1)
            select ($"{r.registry}/{r.component[..position]}{char.ToUpperInvariant(r.component[position])}X{r.component[(position + 1)..]}", "uppercase repository"),
            from r in repository select ($"{r.registry}/{r.component}:", "empty tag"),
            from r in repository from tag in Tag() from start in Gen.Elements(".", "-") select ($"{r.registry}/{r.component}:{start}{tag}", "tag starts with . or -"),
            from r in repository from tag in StringOf(TagRest, 128, 140) select ($"{r.registry}/{r.component}:a{tag}", "tag over 128 characters"),
            from r in repository from bad in Gen.Elements("!", "$", "+", "%", "é", "/") from tag in Tag() select ($"{r.registry}/{r.component}:{tag}{bad}x", "tag character"),
            from r in repository from hex in StringOf(Hex, 0, 63) select ($"{r.registry}/{r.component}@sha256:{hex}", "short digest"),
            from r in repository from hex in StringOf("0123456789ABCDEF", 64, 64).Where(h => h.Any(char.IsAsciiLetterUpper)) select ($"{r.registry}/{r.component}@sha256:{hex}", "uppercase digest"),
            from r in repository from algorithm in Gen.Elements("md5", "SHA256", "sha1", "") select ($"{r.registry}/{r.component}@{algorithm}:{new string('a', 64)}", "digest algorithm"),
            from r in repository from separator in Gen.Elements("//", "/-", "/.", "/_", "..", "-/", "._", "___") select ($"{r.registry}/{r.component}{separator}{r.component}", "separator"),
            from r in repository from end in Gen.Elements("/", "-", ".", "_") select ($"{r.registry}/{r.component}{end}", "component end"),
            from r in repository from bad in Gen.Elements("!", "$", "+", "é", "~", "*") select ($"{r.registry}/{r.component}{bad}", "repository character"),
            from r in repository from length in Gen.Choose(256, 300) select ($"{r.registry}/{new string('a', length)}", "name over 255 characters"),
            from hex in StringOf(Hex, 64, 64) select (hex, "image ID"),
            Gen.Elements(("", "empty"), (":tag", "no repository"), ("@" + new string('a', 64), "no repository"), ("localhost:5000/", "empty repository")),
            from r in repository from bad in Gen.Elements("exa mple.com", "-bad.com", "bad-.com", "[::1", "host:port", "a..b") select ($"{bad}/{r.component}", "registry"));
    }
}
