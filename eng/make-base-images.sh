#!/usr/bin/env bash
# Build small .NET base images from this machine's files, without network,
# and push them to a test registry:
#   REGISTRY/dotnet/runtime-deps:10.0  busybox, the shared libraries .NET links,
#                                      OpenSSL, users root and app (1654)
#   REGISTRY/dotnet/runtime:10.0       runtime-deps plus the .NET runtime from
#                                      /usr/share/dotnet
#   REGISTRY/dotnet/aspnet:10.0        runtime plus the ASP.NET Core shared
#                                      framework from /usr/share/dotnet
# With --multi-platform, dotnet/runtime:10.0 is an image index instead, with
# this machine's image and an arm64 one (amd64 on an arm64 machine).
# They stand in for Microsoft's images of the same names, which tests cannot
# pull because no public registry is reachable.
#
# Usage:
#   eng/make-base-images.sh [--creds USER:PASSWORD] [--cert-dir DIR] [--rebuild] [--multi-platform] REGISTRY_ADDRESS
#   eng/make-base-images.sh [--rebuild] --layout-only DIR
#
#   REGISTRY_ADDRESS     host:port of the registry, for example the output of
#                        eng/registry.sh start.
#   --creds USER:PASSWORD  credentials for a registry that requires basic auth.
#   --cert-dir DIR       verify the registry's TLS certificate against the CA
#                        certificates (*.crt) in DIR, such as the DIR of
#                        eng/registry.sh start --tls. Without it, TLS is not
#                        verified and plain HTTP is allowed.
#   --rebuild            build the images even when the cache has them.
#   --multi-platform     push dotnet/runtime:10.0 as an image index for two
#                        platforms, for multi-platform publish tests. The
#                        second image reuses this machine's layers, so it can
#                        be inspected and built upon but does not run.
#   --layout-only DIR    write the OCI image layout to DIR, which must not
#                        exist, instead of pushing. Its tags are runtime-deps,
#                        runtime, aspnet and runtime-multiplatform (the index).
#
# Prints one line per image on stdout: the reference it was pushed to (or
# DIR:TAG with --layout-only) and the manifest digest. Progress goes to stderr.
#
# Environment:
#   OCIBUILD_BASE_CACHE  where finished layouts are kept (default:
#                        artifacts/base-images in the repository). A run whose
#                        inputs match a cached layout only pushes.
#   OCIBUILD_DOTNET_DIR  .NET installation to copy (default /usr/share/dotnet).
#   SOURCE_DATE_EPOCH    time for file mtimes, config and history, in seconds
#                        since 1970 (default 0). The same inputs and epoch
#                        give the same digests.
#
# Requires root, because umoci unpack and repack record file ownership.
set -euo pipefail
# Directories the script creates in the images get mode 755 on every machine.
umask 022

readonly script_name="make-base-images.sh"
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly script_dir
readonly repo_root="${script_dir%/*}"

# Tag of both images, and the .NET release line whose newest runtime they contain.
readonly channel="10.0"
readonly app_uid=1654

# Busybox applets linked into /usr/bin: what shell scripts, health checks and
# a person debugging a container commonly reach for.
readonly applets=(
    sh ash ls cat echo env id cp mv rm mkdir rmdir ln chmod chown pwd ps kill
    sleep test "[" true false grep egrep sed awk head tail wc sort uniq tr cut
    find xargs tar gzip gunzip zcat touch date uname hostname whoami stat du df
    readlink realpath basename dirname printf mktemp which nproc timeout tee
    vi less diff nc wget top free
)

usage() {
    sed -n '/^# Usage:/,/^# Prints/p' "${BASH_SOURCE[0]}" | sed -e 's/^# \{0,1\}//' -e '$d'
}

fail() {
    echo "$script_name: $*" >&2
    exit 1
}

log() {
    echo "$script_name: $*" >&2
}

registry=""
creds=""
cert_dir=""
layout_only=""
rebuild=false
multi_platform=false
while [[ $# -gt 0 ]]; do
    case "$1" in
        --creds)
            [[ $# -ge 2 ]] || fail "--creds requires a USER:PASSWORD value."
            creds="$2"
            shift
            ;;
        --cert-dir)
            [[ $# -ge 2 ]] || fail "--cert-dir requires a directory."
            cert_dir="$2"
            shift
            ;;
        --layout-only)
            [[ $# -ge 2 ]] || fail "--layout-only requires a directory."
            layout_only="$2"
            shift
            ;;
        --rebuild) rebuild=true ;;
        --multi-platform) multi_platform=true ;;
        -h|--help) usage; exit 0 ;;
        -*) usage >&2; fail "unknown option '$1'." ;;
        *)
            [[ -z "$registry" ]] || { usage >&2; fail "expected one REGISTRY_ADDRESS, got '$registry' and '$1'."; }
            registry="$1"
            ;;
    esac
    shift
done

if [[ -n "$layout_only" && -n "$registry" ]]; then
    usage >&2
    fail "give either REGISTRY_ADDRESS or --layout-only DIR, not both."
fi
if [[ -z "$layout_only" && -z "$registry" ]]; then
    usage >&2
    fail "missing REGISTRY_ADDRESS."
fi
if [[ -n "$layout_only" && -e "$layout_only" ]]; then
    fail "--layout-only target $layout_only already exists; remove it or choose a new directory."
fi
if [[ -n "$cert_dir" && ! -d "$cert_dir" ]]; then
    fail "--cert-dir $cert_dir is not a directory."
fi
if [[ -n "$creds" && "$creds" != ?*:?* ]]; then
    fail "invalid --creds value: expected USER:PASSWORD with both parts non-empty."
fi

[[ "$(id -u)" -eq 0 ]] ||
    fail "must run as root, because umoci unpack and repack need root to record file ownership. Run it with sudo."
for tool in umoci python3 flock sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool not found. Run eng/install-prereqs.sh."
done
if [[ -z "$layout_only" ]]; then
    command -v skopeo >/dev/null 2>&1 || fail "skopeo not found. Run eng/install-prereqs.sh."
fi
[[ -x /bin/busybox ]] || fail "/bin/busybox not found; it comes with the busybox-static package. Run eng/install-prereqs.sh."

epoch="${SOURCE_DATE_EPOCH:-0}"
[[ "$epoch" =~ ^[0-9]+$ ]] || fail "invalid SOURCE_DATE_EPOCH '$epoch': expected whole seconds since 1970."
created="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)"

# Go names the architectures in image configs differently from Debian.
debian_architecture="$(dpkg --print-architecture)"
case "$debian_architecture" in
    amd64) architecture=amd64 ;;
    arm64) architecture=arm64 ;;
    armhf) architecture=arm ;;
    i386) architecture=386 ;;
    ppc64el) architecture=ppc64le ;;
    s390x) architecture=s390x ;;
    riscv64) architecture=riscv64 ;;
    *) fail "unsupported Debian architecture '$debian_architecture'; add its Go name to the case list in $script_name." ;;
esac

# --- Find the runtime to copy. ----------------------------------------------

dotnet_dir="${OCIBUILD_DOTNET_DIR:-/usr/share/dotnet}"
[[ -x "$dotnet_dir/dotnet" ]] ||
    fail "$dotnet_dir/dotnet not found. Install the .NET $channel runtime there or set OCIBUILD_DOTNET_DIR."

runtime_version="$(find "$dotnet_dir/shared/Microsoft.NETCore.App" -mindepth 1 -maxdepth 1 -type d \
    -name "$channel.*" -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)"
[[ -n "$runtime_version" ]] ||
    fail "no .NET $channel runtime found in $dotnet_dir/shared/Microsoft.NETCore.App. Install one (for example with the .NET $channel SDK)."
runtime_dir="$dotnet_dir/shared/Microsoft.NETCore.App/$runtime_version"

aspnet_version="$(find "$dotnet_dir/shared/Microsoft.AspNetCore.App" -mindepth 1 -maxdepth 1 -type d \
    -name "$channel.*" -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)"
[[ -n "$aspnet_version" ]] ||
    fail "no ASP.NET Core $channel runtime found in $dotnet_dir/shared/Microsoft.AspNetCore.App. Install one (the .NET $channel SDK includes it)."
aspnet_dir="$dotnet_dir/shared/Microsoft.AspNetCore.App/$aspnet_version"

hostfxr_version="$(find "$dotnet_dir/host/fxr" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null |
    sort -V | tail -n 1)"
[[ -n "$hostfxr_version" ]] || fail "no host/fxr found in $dotnet_dir; the .NET installation is incomplete."

# --- Find the shared libraries the runtime needs. ---------------------------

# ELF files whose dependencies go into runtime-deps. OpenSSL is loaded with
# dlopen, so ldd of the runtime does not list it. The openssl program links
# the same libssl and libcrypto, so its ldd output finds them on any
# architecture. ICU is left out on purpose, because the images set
# DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true instead.
elf_files=("$dotnet_dir/dotnet" "$dotnet_dir/host/fxr/$hostfxr_version"/*.so "$runtime_dir"/*.so)
if command -v openssl >/dev/null 2>&1; then
    elf_files+=("$(command -v openssl)")
else
    fail "openssl not found; it is needed to locate libssl and libcrypto. Run eng/install-prereqs.sh."
fi

declare -A library_set=()
for elf in "${elf_files[@]}"; do
    # Each ldd line is "name => /path (address)", "/path (address)" for the
    # loader, "name (address)" for the vDSO or "name => not found".
    while read -r name arrow path _; do
        if [[ "$arrow" == "=>" && "$path" == "not" ]]; then
            # libcoreclrtraceptprovider.so links LTTng, and the runtime runs
            # without it when the library cannot be loaded.
            if [[ "$name" == liblttng-ust.so* ]]; then
                continue
            fi
            fail "ldd found no $name, which $elf needs. Install the Debian package that provides it."
        fi
        if [[ "$arrow" == "=>" && "$path" == /* ]]; then
            library_set["$path"]=1
        elif [[ "$name" == /* ]]; then
            library_set["$name"]=1
        fi
    done < <(ldd "$elf")
done

libraries=()
for library in "${!library_set[@]}"; do
    # The runtime's own libraries go into the runtime layer, not runtime-deps.
    if [[ "$(realpath "$library")" != "$(realpath "$dotnet_dir")"/* ]]; then
        libraries+=("$library")
    fi
done
mapfile -t libraries < <(printf '%s\n' "${libraries[@]}" | sort)

ca_bundle=/etc/ssl/certs/ca-certificates.crt
[[ -f "$ca_bundle" ]] || ca_bundle=""

# --- Compute the cache key. -------------------------------------------------

cache_root="${OCIBUILD_BASE_CACHE:-$repo_root/artifacts/base-images}"
mkdir -p "$cache_root"
cache_root="$(realpath "$cache_root")"

temporary_files=()
build_dir=""
cleanup() {
    if [[ ${#temporary_files[@]} -gt 0 ]]; then
        rm -f "${temporary_files[@]}"
    fi
    if [[ -n "$build_dir" ]]; then
        rm -rf "$build_dir"
    fi
}
trap cleanup EXIT
# Turn signals into an exit so that the EXIT trap cleans up for them too.
trap 'exit 130' INT
trap 'exit 143' TERM

inputs_file="$(mktemp)"
temporary_files+=("$inputs_file")

runtime_files=("$dotnet_dir/dotnet" "$dotnet_dir/host/fxr/$hostfxr_version" "$runtime_dir" "$aspnet_dir")
for notice in LICENSE.txt ThirdPartyNotices.txt; do
    if [[ -f "$dotnet_dir/$notice" ]]; then
        runtime_files+=("$dotnet_dir/$notice")
    fi
done
deps_files=(/bin/busybox "${libraries[@]}")
if [[ -n "$ca_bundle" ]]; then
    deps_files+=("$ca_bundle")
fi

# The key covers every input that changes the output: this script, umoci's
# version, the epoch, the architecture, and the names, link targets and
# content of the copied files.
{
    echo "script $(sha256sum < "${BASH_SOURCE[0]}" | cut -d' ' -f1)"
    echo "umoci $(umoci --version)"
    echo "epoch $epoch"
    echo "architecture $architecture"
    for path in "${deps_files[@]}"; do
        echo "$path -> $(readlink -f "$path")"
    done
    find "${runtime_files[@]}" -type l -printf '%p -> %l\n' | sort
    find "${runtime_files[@]}" -type f -print0 | sort -z | xargs -0 sha256sum
    sha256sum "${deps_files[@]}"
} > "$inputs_file"
key="$runtime_version-$(sha256sum < "$inputs_file" | cut -c1-16)"
cache_dir="$cache_root/$key"
layout="$cache_dir/layout"

# --- Build the layout. ------------------------------------------------------

build_log=""

# Run a build step with its output in the build log, which is shown only when
# the step fails.
run_step() {
    if ! "$@" >> "$build_log" 2>&1; then
        echo "$script_name: output of the failed step:" >&2
        tail -n 30 "$build_log" | sed 's/^/    /' >&2
        fail "'$*' failed while building the base images."
    fi
}

# Print where host file PATH goes in the image. The images use Debian's
# merged /usr layout, so /bin, /sbin and /lib* are symlinks into /usr there.
image_path_of() {
    local directory
    directory="$(realpath "$(dirname "$1")")"
    case "$directory" in
        /bin|/bin/*|/sbin|/sbin/*|/lib|/lib/*|/lib32|/lib32/*|/lib64|/lib64/*|/libx32|/libx32/*)
            directory="/usr$directory"
            ;;
    esac
    echo "$directory/$(basename "$1")"
}

declare -A copied_paths=()

# Copy host file PATH into ROOTFS at its real directory. A symlink is copied
# as a symlink, followed by what it points to, so the image keeps the
# library names that the loader looks up.
copy_host_path() {
    local rootfs="$1" source="$2"
    if [[ -n "${copied_paths[$source]:-}" ]]; then
        return
    fi
    copied_paths["$source"]=1

    local target
    target="$rootfs$(image_path_of "$source")"
    mkdir -p "$(dirname "$target")"
    if [[ -L "$source" ]]; then
        local link next
        link="$(readlink "$source")"
        ln -sfn "$link" "$target"
        # NOTE: a relative link that climbs out of its directory (../..)
        # resolves differently in the image when its directory moved under
        # /usr, which happens only on hosts without merged /usr.
        if [[ "$link" == /* ]]; then
            next="$link"
        else
            next="$(realpath "$(dirname "$source")")/$link"
        fi
        copy_host_path "$rootfs" "$next"
    else
        cp --preserve=mode "$source" "$target"
    fi
}

populate_runtime_deps() {
    local rootfs="$1"

    mkdir -p "$rootfs"/usr/{bin,sbin,lib,lib64} "$rootfs"/{etc,tmp,root,home/app}
    local directory
    for directory in bin sbin lib lib64; do
        ln -s "usr/$directory" "$rootfs/$directory"
    done
    chmod 1777 "$rootfs/tmp"
    chmod 700 "$rootfs/root"
    chmod 750 "$rootfs/home/app"
    chown "$app_uid:$app_uid" "$rootfs/home/app"

    cat > "$rootfs/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/bin/sh
app:x:$app_uid:$app_uid:app:/home/app:/bin/sh
PASSWD
    cat > "$rootfs/etc/group" <<GROUP
root:x:0:
app:x:$app_uid:
GROUP

    copy_host_path "$rootfs" /bin/busybox
    local provided applet
    provided=" $(/bin/busybox --list | tr '\n' ' ') "
    for applet in "${applets[@]}"; do
        if [[ "$provided" != *" $applet "* ]]; then
            log "this busybox has no '$applet' applet; leaving it out"
            continue
        fi
        ln -s busybox "$rootfs/usr/bin/$applet"
    done

    local library
    for library in "${libraries[@]}"; do
        copy_host_path "$rootfs" "$library"
    done
    if [[ -n "$ca_bundle" ]]; then
        copy_host_path "$rootfs" "$ca_bundle"
    fi
}

populate_runtime() {
    local rootfs="$1"
    local target="$rootfs/usr/share/dotnet"

    mkdir -p "$target/host/fxr" "$target/shared/Microsoft.NETCore.App"
    cp --preserve=mode "$dotnet_dir/dotnet" "$target/"
    local notice
    for notice in LICENSE.txt ThirdPartyNotices.txt; do
        if [[ -f "$dotnet_dir/$notice" ]]; then
            cp --preserve=mode "$dotnet_dir/$notice" "$target/"
        fi
    done
    cp -R --preserve=mode "$dotnet_dir/host/fxr/$hostfxr_version" "$target/host/fxr/"
    cp -R --preserve=mode "$runtime_dir" "$target/shared/Microsoft.NETCore.App/"
    ln -s /usr/share/dotnet/dotnet "$rootfs/usr/bin/dotnet"
}

populate_aspnet() {
    local rootfs="$1"
    mkdir -p "$rootfs/usr/share/dotnet/shared/Microsoft.AspNetCore.App"
    cp -R --preserve=mode "$aspnet_dir" "$rootfs/usr/share/dotnet/shared/Microsoft.AspNetCore.App/"
}

# Give every path in ROOTFS the epoch as mtime, because umoci copies mtimes
# into the layer tar and so into the layer digest.
set_epoch_times() {
    find "$1" -exec touch -h -d "@$epoch" {} +
}

build_images() {
    local output="$1"
    local out_layout="$output/layout"
    build_log="$output/build.log"
    : > "$build_log"

    run_step umoci init --layout "$out_layout"
    run_step umoci new --image "$out_layout:runtime-deps"
    run_step umoci config --no-history --image "$out_layout:runtime-deps" \
        --created "$created" --os linux --architecture "$architecture" \
        --config.env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        --config.env "APP_UID=$app_uid" \
        --config.env "DOTNET_RUNNING_IN_CONTAINER=true" \
        --config.env "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true"

    # umoci repack turns the changes made in an unpacked bundle into a layer.
    # umoci insert would be simpler, but umoci 0.4.7 writes its layers
    # without the tar end-of-archive blocks, which GNU tar rejects.
    run_step umoci unpack --image "$out_layout:runtime-deps" "$output/deps-bundle"
    populate_runtime_deps "$output/deps-bundle/rootfs"
    chmod 755 "$output/deps-bundle/rootfs"
    set_epoch_times "$output/deps-bundle/rootfs"
    run_step umoci repack --image "$out_layout:runtime-deps" \
        --history.created "$created" \
        --history.created_by "make-base-images.sh: busybox, glibc, libstdc++, OpenSSL and CA certificates from the build machine, users root and app ($app_uid)" \
        "$output/deps-bundle"
    rm -rf "$output/deps-bundle"

    run_step umoci tag --image "$out_layout:runtime-deps" runtime
    run_step umoci unpack --image "$out_layout:runtime" "$output/runtime-bundle"
    populate_runtime "$output/runtime-bundle/rootfs"
    set_epoch_times "$output/runtime-bundle/rootfs"
    run_step umoci repack --image "$out_layout:runtime" \
        --history.created "$created" \
        --history.created_by "make-base-images.sh: .NET runtime $runtime_version in /usr/share/dotnet" \
        "$output/runtime-bundle"
    rm -rf "$output/runtime-bundle"
    run_step umoci config --no-history --image "$out_layout:runtime" --created "$created" \
        --config.env "DOTNET_VERSION=$runtime_version" \
        --config.env "DOTNET_ROOT=/usr/share/dotnet"

    run_step add_second_platform "$out_layout"

    run_step umoci tag --image "$out_layout:runtime" aspnet
    run_step umoci unpack --image "$out_layout:aspnet" "$output/aspnet-bundle"
    populate_aspnet "$output/aspnet-bundle/rootfs"
    set_epoch_times "$output/aspnet-bundle/rootfs"
    run_step umoci repack --image "$out_layout:aspnet" \
        --history.created "$created" \
        --history.created_by "make-base-images.sh: ASP.NET Core $aspnet_version in /usr/share/dotnet/shared" \
        "$output/aspnet-bundle"
    rm -rf "$output/aspnet-bundle"
    # Microsoft's ASP.NET Core images listen on 8080, so that a non-root user can bind the port.
    run_step umoci config --no-history --image "$out_layout:aspnet" --created "$created" \
        --config.env "ASPNET_VERSION=$aspnet_version" \
        --config.env "ASPNETCORE_HTTP_PORTS=8080"

    run_step umoci gc --layout "$out_layout"
    cp "$inputs_file" "$output/inputs.txt"
}

# Add the tag runtime-multiplatform to LAYOUT: an image index that lists the
# runtime image and a copy of it for a second architecture. The copy differs
# only in its config's architecture and variant and shares every layer, so
# its programs are this machine's: it serves tests that inspect the index or
# build on top of it, and nothing runs it.
add_second_platform() {
    python3 - "$1" "$architecture" <<'PYTHON'
import hashlib, json, os, sys
layout, architecture = sys.argv[1], sys.argv[2]
second_architecture = "amd64" if architecture == "arm64" else "arm64"

def blob_path(digest):
    algorithm, encoded = digest.split(":")
    return os.path.join(layout, "blobs", algorithm, encoded)

def read_blob(digest):
    with open(blob_path(digest), "rb") as blob:
        return blob.read()

def write_blob(document):
    data = json.dumps(document, separators=(",", ":")).encode()
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    with open(blob_path(digest), "wb") as blob:
        blob.write(data)
    return digest, len(data)

def platform(name):
    # arm64 gets the variant v8, the platform OciBuild maps linux-arm64 to.
    return {"architecture": name, "os": "linux", **({"variant": "v8"} if name == "arm64" else {})}

index_path = os.path.join(layout, "index.json")
with open(index_path) as index_file:
    layout_index = json.load(index_file)
runtime = next(m for m in layout_index["manifests"]
               if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == "runtime")
manifest = json.loads(read_blob(runtime["digest"]))
config = json.loads(read_blob(manifest["config"]["digest"]))
config["architecture"] = second_architecture
config.pop("variant", None)
if second_architecture == "arm64":
    config["variant"] = "v8"
config_digest, config_size = write_blob(config)
manifest["config"] = {**manifest["config"], "digest": config_digest, "size": config_size}
second_digest, second_size = write_blob(manifest)

index = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [
        {"mediaType": runtime["mediaType"], "digest": runtime["digest"], "size": runtime["size"], "platform": platform(architecture)},
        {"mediaType": runtime["mediaType"], "digest": second_digest, "size": second_size, "platform": platform(second_architecture)},
    ],
}
index_digest, index_size = write_blob(index)
layout_index["manifests"].append({
    "mediaType": index["mediaType"], "digest": index_digest, "size": index_size,
    "annotations": {"org.opencontainers.image.ref.name": "runtime-multiplatform"},
})
with open(index_path + ".tmp", "w") as index_file:
    json.dump(layout_index, index_file)
os.replace(index_path + ".tmp", index_path)
PYTHON
}

# Print the manifest digest of TAG in the layout.
manifest_digest() {
    python3 - "$layout/index.json" "$1" <<'PYTHON'
import json, sys
index_path, tag = sys.argv[1], sys.argv[2]
with open(index_path) as index_file:
    index = json.load(index_file)
for manifest in index["manifests"]:
    if manifest.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag:
        print(manifest["digest"])
        sys.exit(0)
sys.exit(f"tag {tag} not found in {index_path}")
PYTHON
}

# One run at a time per cache, so that parallel test runs neither build the
# same layout twice nor replace it while another run pushes from it.
exec 9> "$cache_root/.lock"
flock -w 900 9 ||
    fail "timed out after 900 s waiting for another $script_name to release $cache_root/.lock."

if [[ "$rebuild" == true || ! -f "$layout/index.json" ]]; then
    log "building runtime-deps and runtime for .NET $runtime_version ($architecture) in $cache_dir"
    started=$SECONDS
    build_dir="$(mktemp -d "$cache_root/.build.XXXXXX")"
    build_images "$build_dir"
    rm -rf "$cache_dir"
    mv "$build_dir" "$cache_dir"
    build_dir=""

    # Entries for other inputs are removed, so that the cache keeps one
    # layout (about 55 MB) instead of one per change of the inputs.
    for entry in "$cache_root"/*; do
        if [[ "$entry" != "$cache_dir" && -f "$entry/layout/index.json" ]]; then
            rm -rf "$entry"
        fi
    done
    log "built in $(( SECONDS - started )) s"
else
    log "using the cached layout in $cache_dir"
fi

# --- Publish. ---------------------------------------------------------------

if [[ -n "$layout_only" ]]; then
    cp -R "$layout" "$layout_only"
    for tag in runtime-deps runtime aspnet runtime-multiplatform; do
        echo "$layout_only:$tag $(manifest_digest "$tag")"
    done
    exit 0
fi

skopeo_options=(--insecure-policy copy --quiet --preserve-digests)
if [[ -n "$cert_dir" ]]; then
    skopeo_options+=(--dest-cert-dir "$cert_dir" --dest-tls-verify=true)
else
    skopeo_options+=(--dest-tls-verify=false)
fi
if [[ -n "$creds" ]]; then
    skopeo_options+=(--dest-creds "$creds")
fi

digest_file="$(mktemp)"
temporary_files+=("$digest_file")
for tag in runtime-deps runtime aspnet; do
    reference="$registry/dotnet/$tag:$channel"
    source_tag="$tag"
    copy_all=()
    if [[ "$multi_platform" == true && "$tag" == runtime ]]; then
        source_tag=runtime-multiplatform
        copy_all=(--all)
    fi
    # --insecure-policy skips the signature policy, which has nothing to
    # check for a layout that this script has just built.
    if ! skopeo "${skopeo_options[@]}" "${copy_all[@]}" --digestfile "$digest_file" "oci:$layout:$source_tag" "docker://$reference"; then
        fail "pushing $reference failed (skopeo output above). Check that the registry is running," \
            "and pass --creds or --cert-dir if it requires authentication or TLS verification."
    fi
    echo "$reference $(cat "$digest_file")"
done
