#!/usr/bin/env bash
# Writes an OCI layout at DIR holding one image (tag latest) with a single uncompressed layer of
# SIZE_MIB mebibytes of random bytes. Uncompressed, so that making it costs seconds, not minutes.
# Usage: make-big-image.sh DIR SIZE_MIB
set -euo pipefail
layout="$1" size="$2"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$layout/blobs/sha256" "$scratch/content"
head -c "$((size * 1024 * 1024))" /dev/urandom >"$scratch/content/random.bin"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$scratch/content" -cf "$scratch/layer.tar" .

layer_digest=$(sha256sum "$scratch/layer.tar" | cut -d' ' -f1)
layer_size=$(stat -c %s "$scratch/layer.tar")
mv "$scratch/layer.tar" "$layout/blobs/sha256/$layer_digest"

printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$layer_digest" >"$scratch/config.json"
config_digest=$(sha256sum "$scratch/config.json" | cut -d' ' -f1)
config_size=$(stat -c %s "$scratch/config.json")
mv "$scratch/config.json" "$layout/blobs/sha256/$config_digest"

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$config_digest" "$config_size" "$layer_digest" "$layer_size" >"$scratch/manifest.json"
manifest_digest=$(sha256sum "$scratch/manifest.json" | cut -d' ' -f1)
manifest_size=$(stat -c %s "$scratch/manifest.json")
mv "$scratch/manifest.json" "$layout/blobs/sha256/$manifest_digest"

echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' \
    "$manifest_digest" "$manifest_size" >"$layout/index.json"
echo "sha256:$manifest_digest"
