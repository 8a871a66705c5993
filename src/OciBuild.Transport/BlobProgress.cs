using OciBuild.Core;

namespace OciBuild.Transport;

/// <summary>How far the copy of one blob has come: <see cref="Transferred"/> of <see cref="Total"/> bytes.</summary>
public readonly record struct BlobProgress(Digest Digest, long Transferred, long Total)
{
    public bool IsComplete => Transferred >= Total;
}
