using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OciBuild.Core.Errors;
using OciBuild.Transport.Configuration;

namespace OciBuild.Transport.Registry;

/// <summary>
/// The extra CA certificates and client certificates of one registry, read from a folder in the
/// containers-certs.d(5) layout: every <c>*.crt</c> is a CA certificate, and every <c>NAME.cert</c>
/// goes with <c>NAME.key</c> as a client certificate and its private key.
/// </summary>
internal sealed class RegistryCertificates
{
    /// <summary>Overrides the certs.d roots below, so that tests need not write to /etc.</summary>
    public const string CertsDirectoryVariable = "OCIBUILD_CERTS_D";

    private RegistryCertificates(string? directory, X509Certificate2Collection authorities, X509Certificate2Collection clientCertificates)
    {
        Directory = directory;
        Authorities = authorities;
        ClientCertificates = clientCertificates;
    }

    public static RegistryCertificates None { get; } = new(null, [], []);

    public string? Directory { get; }

    public X509Certificate2Collection Authorities { get; }

    public X509Certificate2Collection ClientCertificates { get; }

    /// <summary>
    /// Returns the certificate folder of <paramref name="registry"/>: <c>$OCIBUILD_CERTS_D/REGISTRY</c> when
    /// that variable is set, else the first existing of <c>~/.config/containers/certs.d/REGISTRY</c>,
    /// <c>/etc/containers/certs.d/REGISTRY</c> and <c>/etc/docker/certs.d/REGISTRY</c>; null when none exists.
    /// </summary>
    public static string? FindDirectory(string registry, UserEnvironment environment)
    {
        string[] roots = environment.GetVariable(CertsDirectoryVariable) is { } overridden
            ? [overridden]
            :
            [
                Path.Combine(environment.GetVariable("XDG_CONFIG_HOME") ?? Path.Combine(environment.HomeDirectory, ".config"), "containers", "certs.d"),
                "/etc/containers/certs.d",
                "/etc/docker/certs.d",
            ];
        return roots.Select(root => Path.Combine(root, registry)).FirstOrDefault(System.IO.Directory.Exists);
    }

    /// <summary>Reads the certificates in <paramref name="directory"/>; a client certificate without its key, or the reverse, is an error.</summary>
    public static RegistryCertificates Load(string? directory)
    {
        if (directory is null)
        {
            return None;
        }

        if (!System.IO.Directory.Exists(directory))
        {
            throw new OciException(ErrorCodes.CertificateDirectoryInvalid, $"certificate directory {directory} does not exist; check --cert-dir or OciCertificateDirectory");
        }

        var authorities = new X509Certificate2Collection();
        var clients = new X509Certificate2Collection();
        foreach (string file in System.IO.Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            string extension = Path.GetExtension(file);
            try
            {
                if (extension == ".crt")
                {
                    authorities.ImportFromPemFile(file);
                }
                else if (extension == ".cert")
                {
                    string key = Path.ChangeExtension(file, ".key");
                    if (!File.Exists(key))
                    {
                        throw new OciException(ErrorCodes.CertificateDirectoryInvalid, $"client certificate {file} has no private key {Path.GetFileName(key)} beside it");
                    }

                    clients.Add(LoadClientCertificate(file, key));
                }
                else if (extension == ".key" && !File.Exists(Path.ChangeExtension(file, ".cert")))
                {
                    throw new OciException(ErrorCodes.CertificateDirectoryInvalid, $"private key {file} has no client certificate {Path.GetFileNameWithoutExtension(file)}.cert beside it");
                }
            }
            catch (CryptographicException e)
            {
                throw new OciException(ErrorCodes.CertificateDirectoryInvalid, $"cannot read certificate file {file}: {e.Message}", e);
            }
        }

        return new RegistryCertificates(directory, authorities, clients);
    }

    /// <summary>
    /// Accepts a server certificate that the system trusts, or that chains to one of <see cref="Authorities"/>
    /// (the certs.d CAs are added to the system's, not used instead). The host name must match either way.
    /// </summary>
    public bool Validate(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || Authorities.Count == 0 || certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var server = new X509Certificate2(certificate);
        return chain.Build(server);
    }

    /// <summary>Returns the client certificate that one of <paramref name="acceptableIssuers"/> issued, else the first one, else null.</summary>
    public X509Certificate2? SelectClientCertificate(string[] acceptableIssuers)
        => ClientCertificates.FirstOrDefault(c => acceptableIssuers.Contains(c.Issuer, StringComparer.Ordinal))
           ?? (ClientCertificates.Count > 0 ? ClientCertificates[0] : null);

    /// <summary>Builds the error for a connection that failed after <paramref name="registry"/> asked for a client certificate.</summary>
    public OciException ClientCertificateFailure(string registry, string authority, Exception cause)
    {
        string where = Directory is null ? "no certificate folder was given" : $"certificate folder {Directory} has none";
        if (ClientCertificates.Count == 0)
        {
            return new OciException(
                ErrorCodes.ClientCertificateRequired,
                $"registry {registry} ({authority}) demanded a client certificate during the TLS handshake, but {where}: put the certificate and its key as NAME.cert and NAME.key into --cert-dir DIR (OciCertificateDirectory) or /etc/containers/certs.d/{registry}/",
                cause);
        }

        string subjects = string.Join(", ", ClientCertificates.Select(c => c.Subject));
        return new OciException(
            ErrorCodes.ClientCertificateRejected,
            $"registry {registry} ({authority}) closed the connection after OciBuild offered client certificate {subjects} from {Directory} ({Innermost(cause).Message}); check that the registry trusts the certificate's issuer and that the certificate has not expired",
            cause);
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }

    // NOTE: on Windows, SslStream cannot present a certificate whose key is ephemeral, as CreateFromPemFile
    // makes it; client certificates have been tested on Linux only.
    private static X509Certificate2 LoadClientCertificate(string certificateFile, string keyFile)
        => X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
}
