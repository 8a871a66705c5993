using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OciBuild.Core.Tests;

/// <summary>
/// Manifests, an index and a config shaped like those that registries serve today. The OCI manifest and
/// index list known fields in the model's property order and unknown fields last, so a faithful round
/// trip through the model reproduces their compact form byte for byte.
/// </summary>
internal static class TestDocuments
{
    public const string ConfigDigest = "sha256:e67d23e7820c49a8051dac2831f38290f5e72f66c8db5079eeb60d82f14894c0";
    public const string Layer1Digest = "sha256:2804bad6fe94a55f18b2b37e300919a5fd517b95aa81e95db574c0ba069a3740";
    public const string Layer2Digest = "sha256:8a1cee436cbac1489a1883c9d886fcfc46f302c55ed4106ae31729e4f4eb9041";
    public const string Layer3Digest = "sha256:10dacdccfe877dc064d57442e6fa7a4e3085dc94e11a29819c2290fc3d788724";
    public const string BaseDigest = "sha256:cae662172fd450bb0cd710a769079c05bfc5d8e35efa6576edc7d0377afdd4a2";
    public const string Amd64Digest = "sha256:d7bdd545f09d8a73c2b990337c8211d708a04ccd9748627685e4fc79cc038039";
    public const string Arm64Digest = "sha256:6987740fb624e3e9943ec5d9ac5519b72cea1b35fb4bde5719df3923a36c08f7";
    public const string ArmV7Digest = "sha256:8638a81c8bb66188a4f803641610f840a42dcf9b65a0347ffe453af1db7644e2";
    public const string ArmV6Digest = "sha256:a87b9502a134b0a1a1c7d26ad03390702896403121ec7035ca923221990a990b";
    public const string AttestationDigest = "sha256:f745a15153c4dacf0ea4bbf57265e73283941f8335939b33c693975315cf5916";
    public const string WindowsDigest = "sha256:823a3180dad3c9c3c4dea43ab2baf9f04bac9c3a7711745ff5f702551496d735";

    /// <summary>
    /// An OCI manifest as BuildKit writes it, with base-image annotations, a descriptor carrying the
    /// spec's <c>data</c> field (not modelled) and a vendor field at the top level.
    /// </summary>
    public const string OciManifest = $$"""
        {
          "schemaVersion": 2,
          "mediaType": "application/vnd.oci.image.manifest.v1+json",
          "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": "{{ConfigDigest}}",
            "size": 1471
          },
          "layers": [
            {
              "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
              "digest": "{{Layer1Digest}}",
              "size": 3623807
            },
            {
              "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
              "digest": "{{Layer2Digest}}",
              "size": 32,
              "annotations": {
                "org.opencontainers.image.title": "app.tar.gz"
              },
              "data": "H4sIAAAAAAAA/wAAAP//AQAA//8AAAAAAAAAAA=="
            }
          ],
          "annotations": {
            "org.opencontainers.image.base.digest": "{{BaseDigest}}",
            "org.opencontainers.image.base.name": "docker.io/library/alpine:3.19",
            "org.opencontainers.image.created": "2024-02-13T09:41:12Z"
          },
          "io.example.vendor": {
            "builder": "ocibuild-test",
            "steps": [1, 2, 3]
          }
        }
        """;

    /// <summary>
    /// A Docker image manifest v2 schema 2 with Docker's field order (size before digest) and a
    /// foreign layer that names its download URL.
    /// </summary>
    public const string DockerManifest = $$"""
        {
          "schemaVersion": 2,
          "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
          "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 7023,
            "digest": "{{ConfigDigest}}"
          },
          "layers": [
            {
              "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
              "size": 1718332879,
              "digest": "{{Layer1Digest}}",
              "urls": [
                "https://mcr.microsoft.com/v2/windows/servercore/blobs/{{Layer1Digest}}"
              ]
            },
            {
              "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
              "size": 32654,
              "digest": "{{Layer2Digest}}"
            },
            {
              "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
              "size": 73109,
              "digest": "{{Layer3Digest}}"
            }
          ]
        }
        """;

    /// <summary>
    /// An OCI index for several platforms, including a Windows entry with os.version, and a BuildKit
    /// attestation manifest whose platform is unknown/unknown.
    /// </summary>
    public const string OciIndex = $$"""
        {
          "schemaVersion": 2,
          "mediaType": "application/vnd.oci.image.index.v1+json",
          "manifests": [
            {
              "mediaType": "application/vnd.oci.image.manifest.v1+json",
              "digest": "{{Amd64Digest}}",
              "size": 1010,
              "platform": {
                "architecture": "amd64",
                "os": "linux"
              }
            },
            {
              "mediaType": "application/vnd.oci.image.manifest.v1+json",
              "digest": "{{Arm64Digest}}",
              "size": 1010,
              "platform": {
                "architecture": "arm64",
                "os": "linux",
                "variant": "v8"
              }
            },
            {
              "mediaType": "application/vnd.oci.image.manifest.v1+json",
              "digest": "{{ArmV7Digest}}",
              "size": 1010,
              "platform": {
                "architecture": "arm",
                "os": "linux",
                "variant": "v7"
              }
            },
            {
              "mediaType": "application/vnd.oci.image.manifest.v1+json",
              "digest": "{{ArmV6Digest}}",
              "size": 1010,
              "platform": {
                "architecture": "arm",
                "os": "linux",
                "variant": "v6"
              }
            },
            {
              "mediaType": "application/vnd.oci.image.manifest.v1+json",
              "digest": "{{WindowsDigest}}",
              "size": 1290,
              "platform": {
                "architecture": "amd64",
                "os": "windows",
                "os.version": "10.0.20348.2227",
                "os.features": [
                  "win32k"
                ]
              }
            },
            {
              "mediaType": "application/vnd.oci.image.manifest.v1+json",
              "digest": "{{AttestationDigest}}",
              "size": 839,
              "annotations": {
                "vnd.docker.reference.digest": "{{Amd64Digest}}",
                "vnd.docker.reference.type": "attestation-manifest"
              },
              "platform": {
                "architecture": "unknown",
                "os": "unknown"
              }
            }
          ],
          "annotations": {
            "org.opencontainers.image.ref.name": "1.0"
          },
          "io.example.index-note": "kept"
        }
        """;

    /// <summary>
    /// A config as Docker's classic builder writes it: legacy top-level fields the OCI spec does not
    /// define, a health check, null lists, nanosecond timestamps, and unknown fields inside the
    /// history and rootfs objects.
    /// </summary>
    public const string DockerConfig = $$"""
        {
          "architecture": "amd64",
          "config": {
            "Hostname": "",
            "Domainname": "",
            "User": "app",
            "AttachStdin": false,
            "ExposedPorts": {
              "8080/tcp": {}
            },
            "Tty": false,
            "Env": [
              "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
              "ASPNETCORE_HTTP_PORTS=8080",
              "DOTNET_RUNNING_IN_CONTAINER=true"
            ],
            "Cmd": null,
            "Healthcheck": {
              "Test": ["CMD-SHELL", "wget -q -O /dev/null http://localhost:8080/health || exit 1"],
              "Interval": 30000000000,
              "Timeout": 3000000000,
              "Retries": 3
            },
            "Image": "{{BaseDigest}}",
            "Volumes": null,
            "WorkingDir": "/app",
            "Entrypoint": ["dotnet", "App.dll"],
            "OnBuild": null,
            "Labels": {
              "maintainer": "Zoë <zoe@example.com>"
            }
          },
          "container": "3f4e1c9a0b7d",
          "container_config": {
            "Hostname": "3f4e1c9a0b7d",
            "Cmd": ["/bin/sh", "-c", "#(nop) ", "HEALTHCHECK &{[\"CMD-SHELL\"]}"]
          },
          "created": "2024-02-13T09:41:12.123456789Z",
          "docker_version": "24.0.7",
          "history": [
            {
              "created": "2024-01-27T00:30:48.624602109Z",
              "created_by": "/bin/sh -c #(nop) ADD file:37a76ec18f9887751cd8473744917d08b7431fc4085097bb6a09d81b41775473 in / "
            },
            {
              "created": "2024-02-13T09:41:12.123456789Z",
              "created_by": "/bin/sh -c #(nop)  HEALTHCHECK &{[\"CMD-SHELL\"]}",
              "empty_layer": true,
              "io.example.step": 7
            }
          ],
          "os": "linux",
          "rootfs": {
            "type": "layers",
            "diff_ids": [
              "{{Layer1Digest}}",
              "{{Layer2Digest}}"
            ],
            "io.example.base_layer": "none"
          }
        }
        """;

    private static readonly JsonSerializerOptions CompactOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Bytes(string json) => Encoding.UTF8.GetBytes(json);

    /// <summary>Rewrites <paramref name="json"/> without white space between tokens, keeping property order.</summary>
    public static string Compact(string json) => JsonNode.Parse(json)!.ToJsonString(CompactOptions);

    public static JsonNode Node(string json) => JsonNode.Parse(json)!;

    public static JsonNode Node(byte[] json) => JsonNode.Parse(json)!;
}
