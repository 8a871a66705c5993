using OciBuild.Core;

namespace OciBuild.Transport.Registry;

/// <summary>What <see cref="ReferrerPusher.PushAsync"/> wrote.</summary>
/// <param name="Referrer">The referrer manifest's descriptor, with its artifact type and annotations.</param>
/// <param name="ReferrersTag">The referrers tag that now lists it, or null when the registry tracks referrers itself.</param>
public sealed record ReferrerPushResult(Descriptor Referrer, string? ReferrersTag);
