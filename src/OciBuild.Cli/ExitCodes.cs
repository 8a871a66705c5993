namespace OciBuild.Cli;

/// <summary>The exit codes of <c>ocibuild</c>, listed in the README.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The verb failed; the message on standard error says why and carries an OCIB code.</summary>
    public const int Failure = 1;

    /// <summary><c>run</c> itself failed before the container ran, as podman and buildah report it.</summary>
    public const int RunFailure = 125;

    /// <summary>Interrupted with Ctrl+C (128 + SIGINT).</summary>
    public const int Canceled = 130;
}
