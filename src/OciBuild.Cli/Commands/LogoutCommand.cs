using System.CommandLine;
using OciBuild.Core.Errors;
using OciBuild.Transport.Credentials;

namespace OciBuild.Cli.Commands;

/// <summary><c>ocibuild logout REGISTRY | --all</c>: removes stored credentials from the auth file that <c>login</c> writes.</summary>
internal static class LogoutCommand
{
    public static Command Create()
    {
        var registry = new Argument<string?>("registry") { Description = "The registry to forget", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all", "-a") { Description = "Remove the credentials of every registry from the auth file" };
        var authFile = new Option<string?>("--authfile") { Description = "The auth file to edit (default: the one login writes)", HelpName = "FILE" };
        var command = new Command("logout", "Remove a registry's stored credentials") { registry, all, authFile };

        command.SetAction((parseResult, cancellationToken) => CommandAction.RunAsync(() =>
        {
            string? name = parseResult.GetValue(registry);
            bool removeAll = parseResult.GetValue(all);
            if ((name is null) == !removeAll)
            {
                throw new OciException(ErrorCodes.InvalidArgument, "give either a registry or --all");
            }

            var resolver = CredentialResolver.ForCurrentUser();
            string path = parseResult.GetValue(authFile) ?? resolver.DefaultAuthFilePath;
            var file = AuthFile.Load(path);
            if (removeAll)
            {
                if (file.RemoveAllCredentials())
                {
                    file.Save();
                    LoginCommand.WarnIfMadePrivate(file);
                }

                Console.WriteLine($"Removed login credentials for all registries from {path}");
                return Task.FromResult(ExitCodes.Success);
            }

            name = LoginCommand.NormalizeRegistry(name!);
            if (!file.RemoveCredentials(name))
            {
                string elsewhere = resolver.SearchedFiles.FirstOrDefault(other => other != path && AuthFile.Load(other).GetCredentials(name) is not null) is { } other
                    ? $"; {other} has an entry for it, which logout does not edit"
                    : "";
                throw new OciException(ErrorCodes.NotLoggedIn, $"not logged in to {name}: {path} has no entry for it{elsewhere}");
            }

            file.Save();
            LoginCommand.WarnIfMadePrivate(file);
            Console.WriteLine($"Removed login credentials for {name}");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
