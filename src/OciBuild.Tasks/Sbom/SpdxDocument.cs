using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OciBuild.Core;

namespace OciBuild.Tasks.Sbom;

/// <summary>
/// Writes an SPDX 2.3 JSON document that describes an image and the NuGet packages its app was
/// restored with. Equal inputs give equal bytes: the document has no random ID and no clock time.
/// </summary>
public static class SpdxDocument
{
    /// <summary>The IANA media type of SPDX JSON, also used as the referrer's artifact type.</summary>
    public const string MediaType = "application/spdx+json";

    private const string ImageId = "SPDXRef-Image";
    private const string NoAssertion = "NOASSERTION";

    /// <summary>Returns the document as UTF-8 JSON.</summary>
    /// <param name="imageName">The image's repository with its registry, such as <c>localhost:5000/team/app</c>.</param>
    /// <param name="image">The image's manifest or index descriptor, the subject of the SBOM.</param>
    /// <param name="created">The creation time written in the document: the image config's <c>created</c>, so the document follows the image.</param>
    /// <param name="packages">The NuGet packages, in the order they are written.</param>
    /// <param name="tool">The creator tool and version, such as <c>ocibuild-0.1.0</c>.</param>
    public static byte[] Write(string imageName, Descriptor image, DateTimeOffset created, IReadOnlyList<NuGetPackage> packages, string tool)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("spdxVersion", "SPDX-2.3");
            json.WriteString("dataLicense", "CC0-1.0");
            json.WriteString("SPDXID", "SPDXRef-DOCUMENT");
            json.WriteString("name", $"{imageName}@{image.Digest}");
            json.WriteString("documentNamespace", DocumentNamespace(imageName, image.Digest));

            json.WriteStartObject("creationInfo");
            json.WriteString("created", created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteStartArray("creators");
            json.WriteStringValue($"Tool: {tool}");
            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteStartArray("packages");
            WriteImagePackage(json, imageName, image);
            foreach (var package in packages)
            {
                WriteNuGetPackage(json, package);
            }

            json.WriteEndArray();

            json.WriteStartArray("relationships");
            WriteRelationship(json, "SPDXRef-DOCUMENT", "DESCRIBES", ImageId);
            foreach (var package in packages)
            {
                WriteRelationship(json, ImageId, "DEPENDS_ON", PackageId(package));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Returns a URN that SPDX requires to be unique per document. It is a UUID (version 8, RFC 9562)
    /// made from a SHA-256 of the image name and digest, so the same image always gets the same namespace.
    /// </summary>
    internal static string DocumentNamespace(string imageName, Digest image)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{imageName}@{image}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        string hex = Convert.ToHexString(hash, 0, 16).ToLowerInvariant();
        return $"urn:uuid:{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }

    /// <summary>Returns an SPDX ID for the package; SPDX IDs allow only letters, digits, '.' and '-'.</summary>
    internal static string PackageId(NuGetPackage package)
    {
        var id = new StringBuilder("SPDXRef-NuGet-");
        foreach (char c in $"{package.Id}-{package.Version}")
        {
            id.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-');
        }

        return id.ToString();
    }

    private static void WriteImagePackage(Utf8JsonWriter json, string imageName, Descriptor image)
    {
        string name = imageName[(imageName.LastIndexOf('/') + 1)..];
        string repositoryUrl = imageName;

        json.WriteStartObject();
        json.WriteString("name", imageName);
        json.WriteString("SPDXID", ImageId);
        json.WriteString("versionInfo", image.Digest.ToString());
        json.WriteString("downloadLocation", NoAssertion);
        json.WriteBoolean("filesAnalyzed", false);
        json.WriteString("primaryPackagePurpose", "CONTAINER");
        json.WriteStartArray("checksums");
        WriteChecksum(json, image.Digest.Algorithm.ToUpperInvariant(), image.Digest.Encoded);
        json.WriteEndArray();

        // purl's oci type: the last path component as the name, the digest as the version, and the
        // repository it lives in as a qualifier.
        string purl = $"pkg:oci/{Uri.EscapeDataString(name)}@{Uri.EscapeDataString(image.Digest.ToString())}?repository_url={Uri.EscapeDataString(repositoryUrl)}";
        json.WriteStartArray("externalRefs");
        WritePackageUrl(json, purl);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteNuGetPackage(Utf8JsonWriter json, NuGetPackage package)
    {
        json.WriteStartObject();
        json.WriteString("name", package.Id);
        json.WriteString("SPDXID", PackageId(package));
        json.WriteString("versionInfo", package.Version);
        json.WriteString("downloadLocation", NoAssertion);
        json.WriteBoolean("filesAnalyzed", false);
        json.WriteString("primaryPackagePurpose", "LIBRARY");
        if (package.Sha512 is not null)
        {
            json.WriteStartArray("checksums");
            WriteChecksum(json, "SHA512", package.Sha512);
            json.WriteEndArray();
        }

        json.WriteStartArray("externalRefs");
        WritePackageUrl(json, package.PackageUrl);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteChecksum(Utf8JsonWriter json, string algorithm, string value)
    {
        json.WriteStartObject();
        json.WriteString("algorithm", algorithm);
        json.WriteString("checksumValue", value);
        json.WriteEndObject();
    }

    private static void WritePackageUrl(Utf8JsonWriter json, string purl)
    {
        json.WriteStartObject();
        json.WriteString("referenceCategory", "PACKAGE-MANAGER");
        json.WriteString("referenceType", "purl");
        json.WriteString("referenceLocator", purl);
        json.WriteEndObject();
    }

    private static void WriteRelationship(Utf8JsonWriter json, string element, string type, string related)
    {
        json.WriteStartObject();
        json.WriteString("spdxElementId", element);
        json.WriteString("relationshipType", type);
        json.WriteString("relatedSpdxElement", related);
        json.WriteEndObject();
    }
}
