namespace OciBuild.Cli.Tests.Runtime;

/// <summary>
/// The tests that run real containers. They run one at a time and apart from other tests, because one
/// of them sends SIGTERM to the test process, and every run in progress would forward it to its container.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RuncCollection
{
    public const string Name = "runc";
}
