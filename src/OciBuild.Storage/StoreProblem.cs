namespace OciBuild.Storage;

/// <summary>One problem that <see cref="StoreChecker"/> found.</summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="Subject">The file, folder, image or container concerned.</param>
/// <param name="Detail">Why it is a problem, in words for the user.</param>
/// <param name="Repaired">Whether the check removed it.</param>
public sealed record StoreProblem(StoreProblemKind Kind, string Subject, string Detail, bool Repaired);
