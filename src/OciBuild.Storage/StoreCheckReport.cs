namespace OciBuild.Storage;

/// <summary>The outcome of <see cref="StoreChecker.CheckAsync"/>.</summary>
/// <param name="Problems">Every problem found, repaired or not.</param>
/// <param name="FilesInUse">Temporary files left alone because a running process has them open.</param>
/// <param name="ImagesChecked">Index entries checked, counting each manifest digest once.</param>
/// <param name="BlobsChecked">Blobs whose content was hashed.</param>
/// <param name="ContainersChecked">Working container records checked.</param>
public sealed record StoreCheckReport(
    IReadOnlyList<StoreProblem> Problems,
    IReadOnlyList<string> FilesInUse,
    int ImagesChecked,
    int BlobsChecked,
    int ContainersChecked)
{
    /// <summary>Whether a problem remains that the check did not repair.</summary>
    public bool HasRemainingProblems => Problems.Any(p => !p.Repaired);
}
