using System.CommandLine;
using System.Text;
using OciBuild.Core.Errors;
using OciBuild.Transport.Credentials;
using OciBuild.Transport.Registry;

namespace OciBuild.Cli.Commands;

/// <summary>
/// <c>ocibuild login REGISTRY</c>: checks a user name and password against the registry, then stores them
/// in the containers auth file, as podman and buildah do.
/// </summary>
internal static class LoginCommand
{
    public static Command Create()
    {
        var registry = new Argument<string>("registry") { Description = "The registry, such as localhost:5000" };
        var userName = new Option<string?>("--username", "-u") { Description = "The user name (prompted for when missing and a terminal is attached)" };
        var password = new Option<string?>("--password", "-p") { Description = "The password; prefer --password-stdin, because other users can read command lines" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input" };
        var authFile = new Option<string?>("--authfile")
        {
            Description = "The auth file to write (default: $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json, else ~/.config/containers/auth.json)",
            HelpName = "FILE",
        };
        var registryFlags = new RegistryFlags();
        var command = new Command("login", "Check credentials against a registry and store them in the auth file") { registry, userName, password, passwordStdin, authFile };
        command.Options.Add(registryFlags.TlsVerify);
        command.Options.Add(registryFlags.CertificateDirectory);

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(async () =>
        {
            string name = NormalizeRegistry(parseResult.GetValue(registry)!);
            var logger = new ConsoleLogger(parseResult.GetValue(GlobalOptions.Debug));
            string user = parseResult.GetValue(userName) ?? Prompt("Username: ", echo: true)
                ?? throw new OciException(ErrorCodes.InvalidArgument, $"logging in to {name}: no user name; pass --username");
            string secret = await ReadPasswordAsync(parseResult.GetValue(password), parseResult.GetValue(passwordStdin), name, cancellationToken);
            var credentials = new RegistryCredentials(user, secret);

            var factory = CliSession.CreateRegistryOptions(parseResult, registryFlags, logger);
            var options = factory.Create(name) with { Credentials = credentials, CredentialResolver = null };
            using (var client = new RegistryClient(name, options))
            {
                await client.CheckCredentialsAsync(cancellationToken);
            }

            string path = parseResult.GetValue(authFile) ?? factory.CredentialResolver.DefaultAuthFilePath;
            var file = AuthFile.Load(path);
            file.SetCredentials(name, credentials);
            file.Save();
            WarnIfMadePrivate(file);
            Console.WriteLine("Login Succeeded!");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// Warns that an auth file which group or others could use is now mode 0600. The rewrite makes it
    /// private rather than failing, because a login must not leave passwords readable, and because
    /// refusing would leave them readable too.
    /// </summary>
    internal static void WarnIfMadePrivate(AuthFile file)
    {
        if (file.SharedPermissions != UnixFileMode.None)
        {
            Console.Error.WriteLine($"warning: auth file {file.Path} was accessible to group or others ({file.SharedPermissions}); it now has mode 0600");
        }
    }

    /// <summary>Strips a scheme and a trailing path, so that <c>https://host:5000/v2/</c> stores as <c>host:5000</c>.</summary>
    internal static string NormalizeRegistry(string text)
    {
        string name = text.Trim();
        int scheme = name.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            name = name[(scheme + 3)..];
        }

        int slash = name.IndexOf('/');
        return slash >= 0 ? name[..slash] : name;
    }

    private static async Task<string> ReadPasswordAsync(string? fromOption, bool fromStdin, string registry, CancellationToken cancellationToken)
    {
        if (fromOption is not null && fromStdin)
        {
            throw new OciException(ErrorCodes.InvalidArgument, "--password and --password-stdin cannot be used together");
        }

        if (fromOption is not null)
        {
            Console.Error.WriteLine("warning: a password on the command line is visible to other users; use --password-stdin");
            return fromOption;
        }

        if (fromStdin)
        {
            string text = await Console.In.ReadToEndAsync(cancellationToken);
            return text.TrimEnd('\r', '\n');
        }

        return Prompt("Password: ", echo: false)
               ?? throw new OciException(ErrorCodes.InvalidArgument, $"logging in to {registry}: no password; pass --password-stdin");
    }

    /// <summary>Asks on the terminal; returns null when standard input is not a terminal.</summary>
    private static string? Prompt(string label, bool echo)
    {
        if (Console.IsInputRedirected)
        {
            return null;
        }

        Console.Error.Write(label);
        if (echo)
        {
            return Console.ReadLine();
        }

        var text = new StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                text.Length = Math.Max(0, text.Length - 1);
            }
            else
            {
                text.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return text.ToString();
    }
}
