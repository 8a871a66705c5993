using OciBuild.Layers;

namespace OciBuild.Transport.Building;

/// <summary>A layer built for the new image: its digests, the file that contains its blob, and its history comment.</summary>
public sealed record NewLayer(BuiltLayer Layer, string BlobPath, string Comment);
