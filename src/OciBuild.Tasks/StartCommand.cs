using OciBuild.Core.Errors;

namespace OciBuild.Tasks;

/// <summary>
/// The two ways a project can set the container's start command, and how they become the config's
/// Entrypoint and Cmd. The plain form (<c>OciEntrypoint</c>, <c>OciCmd</c>) is copied as given. The
/// .NET SDK's form names the app (<c>OciAppCommand</c>), arguments that always follow it
/// (<c>OciAppCommandArgs</c>) and arguments that <c>docker run IMAGE ARGS</c> replaces
/// (<c>OciDefaultArgs</c>); <c>OciAppCommandInstruction</c> selects where the app command goes.
/// </summary>
public sealed record StartCommand
{
    public const string EntrypointInstruction = "Entrypoint";
    public const string DefaultArgsInstruction = "DefaultArgs";
    public const string NoneInstruction = "None";

    public IReadOnlyList<string> Entrypoint { get; init; } = [];

    public IReadOnlyList<string> Cmd { get; init; } = [];

    /// <summary>The app and its path; empty means the apphost, else <c>dotnet APP.dll</c>.</summary>
    public IReadOnlyList<string> AppCommand { get; init; } = [];

    public IReadOnlyList<string> AppCommandArgs { get; init; } = [];

    public IReadOnlyList<string> DefaultArgs { get; init; } = [];

    /// <summary><c>Entrypoint</c> (default), <c>DefaultArgs</c> or <c>None</c>.</summary>
    public string? Instruction { get; init; }

    /// <summary>Raises an error when the two forms are mixed in a way with no single meaning.</summary>
    public void Validate()
    {
        if (Entrypoint.Count > 0 && (AppCommand.Count > 0 || AppCommandArgs.Count > 0))
        {
            throw new OciException(
                ErrorCodes.ConflictingStartCommand,
                "OciEntrypoint and OciAppCommand/OciAppCommandArgs are both set; set either the plain entrypoint or the app command, not both");
        }

        if (Cmd.Count > 0 && DefaultArgs.Count > 0)
        {
            throw new OciException(
                ErrorCodes.ConflictingStartCommand,
                "OciCmd and OciDefaultArgs are both set; they mean the same arguments, so keep one of them");
        }

        string instruction = NormalizedInstruction();
        if (instruction is not (EntrypointInstruction or DefaultArgsInstruction or NoneInstruction))
        {
            throw new OciException(
                ErrorCodes.InvalidArgument,
                $"OciAppCommandInstruction=\"{Instruction}\" is invalid; use Entrypoint, DefaultArgs or None");
        }

        if (instruction == NoneInstruction && (AppCommand.Count > 0 || AppCommandArgs.Count > 0))
        {
            throw new OciException(
                ErrorCodes.ConflictingStartCommand,
                "OciAppCommandInstruction=None keeps the base image's start command, but OciAppCommand or OciAppCommandArgs is set; remove them or pick another instruction");
        }
    }

    /// <summary>Returns the config's Entrypoint and Cmd; null keeps the base image's value.</summary>
    /// <param name="defaultAppCommand">The app command to use when <see cref="AppCommand"/> is empty.</param>
    public (IReadOnlyList<string>? Entrypoint, IReadOnlyList<string>? Cmd) Resolve(IReadOnlyList<string>? defaultAppCommand)
    {
        Validate();
        IReadOnlyList<string>? arguments = null;
        if (Cmd.Count > 0)
        {
            arguments = Cmd;
        }
        else if (DefaultArgs.Count > 0)
        {
            arguments = DefaultArgs;
        }

        if (Entrypoint.Count > 0)
        {
            return (Entrypoint, arguments);
        }

        IReadOnlyList<string>? appCommand = AppCommand.Count > 0 ? AppCommand : defaultAppCommand;
        switch (NormalizedInstruction())
        {
            case DefaultArgsInstruction:
                // The base image's Entrypoint stays, and the whole app command becomes its arguments.
                return (null, [.. appCommand ?? [], .. AppCommandArgs, .. arguments ?? []]);
            case NoneInstruction:
                return (null, arguments);
            default:
                if (appCommand is null)
                {
                    return (AppCommandArgs.Count > 0 ? AppCommandArgs : null, arguments);
                }

                return ([.. appCommand, .. AppCommandArgs], arguments);
        }
    }

    private string NormalizedInstruction() => string.IsNullOrWhiteSpace(Instruction)
        ? EntrypointInstruction
        : new[] { EntrypointInstruction, DefaultArgsInstruction, NoneInstruction }
            .FirstOrDefault(i => string.Equals(i, Instruction.Trim(), StringComparison.OrdinalIgnoreCase)) ?? Instruction;
}
