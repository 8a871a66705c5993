#!/usr/bin/env bash
# buildah's side of the benchmark: the same image as PublishOciImage makes, built and pushed.
# Usage: buildah-build.sh STATE_DIR BASE_IMAGE PUBLISH_DIR DESTINATION
set -euo pipefail
state="$1" base="$2" publish="$3" destination="$4"
mkdir -p "$state"
b=(buildah --root "$state/root" --runroot "$state/run" --storage-driver vfs)
container=$("${b[@]}" from --tls-verify=false --quiet "docker://$base")
"${b[@]}" copy "$container" "$publish" /app >/dev/null
"${b[@]}" config --entrypoint '["/app/HelloEcho"]' --workingdir /app --env HELLOECHO_NAME=helloecho "$container"
"${b[@]}" commit --quiet "$container" bench-image >/dev/null
"${b[@]}" push --tls-verify=false --quiet bench-image "docker://$destination"
"${b[@]}" rm "$container" >/dev/null
