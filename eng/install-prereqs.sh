#!/usr/bin/env bash
# Install the Debian packages that OciBuild's integration tests and benchmarks
# use: a local registry, skopeo, umoci, runc and buildah, and what eng/*.sh
# need to drive them. Installs only the packages that are missing, so it is
# cheap to run before every test run.
#
# Usage: eng/install-prereqs.sh [--check]
#   --check  list the missing packages and exit 1 if any are missing,
#            without installing anything.
set -euo pipefail

# Why each package is needed:
#   docker-registry  the registry that tests push to (eng/registry.sh)
#   skopeo           copies images between layouts and registries
#   umoci            builds and unpacks OCI layouts (eng/make-base-images.sh)
#   runc             runs unpacked images (eng/check-base-images.sh)
#   buildah          reference builder that tests compare against
#   busybox-static   the shell and tools inside the test base images
#   openssl          throwaway CA and certificates for the TLS registry
#   apache2-utils    htpasswd, which writes the bcrypt hashes the registry requires
#   curl             polls the registry until it accepts requests
#   python3          edits the runc config.json of unpacked images
#   ca-certificates  CA bundle copied into the base images
packages=(
    docker-registry
    skopeo
    umoci
    runc
    buildah
    busybox-static
    openssl
    apache2-utils
    curl
    python3
    ca-certificates
)

check_only=false
case "${1:-}" in
    "") ;;
    --check) check_only=true ;;
    *)
        echo "install-prereqs.sh: unknown argument '$1'. Usage: eng/install-prereqs.sh [--check]" >&2
        exit 2
        ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-prereqs.sh: dpkg-query not found. This script supports Debian and its derivatives only;" \
        "install these packages with your system's package manager: ${packages[*]}" >&2
    exit 1
fi

missing=()
for package in "${packages[@]}"; do
    # db:Status-Status is "installed" only for a fully installed package, so a
    # package that was removed but left its config files behind counts as missing.
    status="$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)"
    if [[ "$status" != "installed" ]]; then
        missing+=("$package")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-prereqs.sh: all ${#packages[@]} packages are installed." >&2
    exit 0
fi

if [[ "$check_only" == true ]]; then
    echo "install-prereqs.sh: missing packages: ${missing[*]}" >&2
    exit 1
fi

install_command=(env DEBIAN_FRONTEND=noninteractive sh -c
    'apt-get update && apt-get install -y --no-install-recommends "$@"' sh "${missing[@]}")

if [[ "$(id -u)" -eq 0 ]]; then
    runner=()
elif command -v sudo >/dev/null 2>&1; then
    runner=(sudo)
else
    echo "install-prereqs.sh: missing packages: ${missing[*]}" >&2
    echo "install-prereqs.sh: installing them requires root and sudo is not available. Run as root:" >&2
    echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

echo "install-prereqs.sh: installing ${missing[*]}" >&2
if ! "${runner[@]}" "${install_command[@]}"; then
    echo "install-prereqs.sh: apt-get failed to install: ${missing[*]}. Check the apt output above" \
        "(package sources, network, disk space) and run this script again." >&2
    exit 1
fi
