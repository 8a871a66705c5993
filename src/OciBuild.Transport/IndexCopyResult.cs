using OciBuild.Core;

namespace OciBuild.Transport;

/// <summary>What an index copy wrote: the index digest, and a copy result per image in index order.</summary>
public sealed record IndexCopyResult(Digest IndexDigest, IReadOnlyList<CopyResult> Images)
{
    public string MediaType => MediaTypes.OciIndex;
}
