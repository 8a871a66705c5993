using System.CommandLine;

namespace OciBuild.Cli;

/// <summary>The <c>--pull</c> option of <c>from</c> and <c>pull</c>, and its <c>--pull-always</c> alias.</summary>
internal static class PullOption
{
    public static Option<PullPolicy> Create(PullPolicy defaultPolicy = PullPolicy.Missing)
    {
        var option = new Option<PullPolicy>("--pull")
        {
            HelpName = "missing|always|never|newer",
            Description = "When to pull from the registry: missing (only when the local store lacks the image), always, "
                          + "never (fail unless the local store has it), or newer (when the registry's manifest digest for the tag differs from the stored one)",
            DefaultValueFactory = _ => defaultPolicy,
        };

        // Name the accepted values in the error, not the enum type behind them.
        option.AcceptOnlyFromAmong("missing", "always", "never", "newer");
        return option;
    }

    public static Option<bool> CreateAlwaysAlias() => new("--pull-always")
    {
        Description = "The same as --pull=always",
    };

    public static PullPolicy GetPolicy(System.CommandLine.ParseResult parseResult, Option<PullPolicy> pull, Option<bool> pullAlways)
        => parseResult.GetValue(pullAlways) ? PullPolicy.Always : parseResult.GetValue(pull);
}
