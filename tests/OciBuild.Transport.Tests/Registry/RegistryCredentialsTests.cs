using OciBuild.Core.Errors;
using OciBuild.Transport.Registry;

namespace OciBuild.Transport.Tests.Registry;

public class RegistryCredentialsTests
{
    [Fact]
    public void Parse_splits_at_first_colon()
    {
        var credentials = RegistryCredentials.Parse("user:pa:ss");

        Assert.Equal("user", credentials.UserName);
        Assert.Equal("pa:ss", credentials.Password);
    }

    [Fact]
    public void Parse_keeps_empty_password()
    {
        var credentials = RegistryCredentials.Parse("user:");

        Assert.Equal("", credentials.Password);
    }

    [Theory]
    [InlineData(":secret-only-password")]
    [InlineData("secret-without-colon")]
    [InlineData("")]
    public void Parse_without_user_raises(string value)
    {
        var error = Assert.Throws<OciException>(() => RegistryCredentials.Parse(value));

        Assert.Equal(ErrorCodes.InvalidCredentials, error.Code);
        Assert.Contains("USER:PASSWORD", error.Message);
    }

    [Theory]
    [InlineData(":secret-only-password")]
    [InlineData("secret-without-colon")]
    public void Parse_error_hides_value(string value)
    {
        var error = Assert.Throws<OciException>(() => RegistryCredentials.Parse(value));

        Assert.DoesNotContain("secret", error.Message);
    }

    [Fact]
    public void ToString_hides_password()
    {
        var credentials = new RegistryCredentials("user", "hunter2-secret");

        string text = credentials.ToString();

        Assert.DoesNotContain("hunter2-secret", text);
        Assert.Contains("user", text);
    }

    [Fact]
    public void Interpolation_hides_password()
    {
        var credentials = RegistryCredentials.Parse("user:hunter2-secret");

        Assert.DoesNotContain("hunter2-secret", $"logging in with {credentials}");
    }
}
