#!/usr/bin/env bash
# The main job end to end on a fresh machine: install the test bed's Debian packages, build OciBuild,
# start a registry on a loopback port, make .NET base images from this machine's files, publish the
# HelloEcho sample as an image into the registry with `dotnet publish`, then pull it into a working
# container with `ocibuild from` and run it under runc. Ends with the container's ten lines.
#
# Usage: eng/demo.sh [--keep]   (--keep leaves the registry running and prints how to stop it)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
keep=false
[[ "${1:-}" == "--keep" ]] && keep=true

step() { printf '\n== %s\n' "$*"; }

step "Installing the Debian packages the demo uses"
eng/install-prereqs.sh

step "Building OciBuild (package in artifacts/packages, CLI at artifacts/ocibuild)"
eng/build.sh

demo_dir="$repo_root/artifacts/demo"
registry_dir="$demo_dir/registry"
export OCIBUILD_STORAGE="$demo_dir/storage"
"$repo_root/eng/registry.sh" stop "$registry_dir" --clean >/dev/null 2>&1 || true
rm -rf "$OCIBUILD_STORAGE"
mkdir -p "$demo_dir"

step "Starting a registry on a loopback port"
registry=$(eng/registry.sh start "$registry_dir")
if ! $keep; then
    trap 'eng/registry.sh stop "$registry_dir" >/dev/null 2>&1 || true' EXIT
fi
echo "registry at $registry"

step "Making base images $registry/dotnet/runtime:10.0 and runtime-deps:10.0 from this machine's files"
eng/make-base-images.sh "$registry"

step "dotnet publish -t:PublishOciImage of samples/HelloEcho into $registry"
dotnet publish samples/HelloEcho -c Release -t:PublishOciImage -nologo -v:minimal \
    -p:OciRegistry="$registry" -p:OciTlsVerify=false -p:OciBaseImage="$registry/dotnet/runtime:10.0"

step "skopeo inspect docker://$registry/helloecho:latest"
skopeo inspect --tls-verify=false "docker://$registry/helloecho:latest"

step "ocibuild from --tls-verify=false $registry/helloecho:latest"
container=$(artifacts/ocibuild from --tls-verify=false "$registry/helloecho:latest")
echo "working container: $container"

step "ocibuild run $container"
artifacts/ocibuild run "$container"

if $keep; then
    echo
    echo "The registry keeps running at $registry; stop it with: eng/registry.sh stop $registry_dir"
fi
