using System.Runtime.Versioning;

// The extractor needs Linux, and the builder tests set Unix modes on their source files.
[assembly: SupportedOSPlatform("linux")]
