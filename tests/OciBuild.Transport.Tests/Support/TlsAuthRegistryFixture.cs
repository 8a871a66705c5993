namespace OciBuild.Transport.Tests.Support;

/// <summary>A registry that serves HTTPS with a throwaway CA (<c>ca.crt</c> in its folder) and requires basic authentication.</summary>
public sealed class TlsAuthRegistryFixture : RegistryFixture
{
    public const string UserName = "tls-user";
    public const string Password = "tls-secret-K4";

    public TlsAuthRegistryFixture()
        : base("--tls", "--auth", $"{UserName}:{Password}")
    {
    }
}

[CollectionDefinition(Name)]
public sealed class TlsAuthRegistryCollection : ICollectionFixture<TlsAuthRegistryFixture>
{
    public const string Name = "TLS basic-auth registry";
}
