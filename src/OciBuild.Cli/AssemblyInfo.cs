using System.Runtime.Versioning;

// ocibuild runs containers with runc and mounts overlay rootfs, which exist only on Linux.
[assembly: SupportedOSPlatform("linux")]
