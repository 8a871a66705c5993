#!/usr/bin/env bash
# Check that the base images pushed by eng/make-base-images.sh work. The
# script inspects both with skopeo, pulls dotnet/runtime:10.0 into an OCI
# layout and unpacks it with umoci. It then runs .NET in it with runc, both
# `dotnet --list-runtimes` and a freshly published framework-dependent
# hello-world app (through its apphost and through `dotnet app.dll`).
# Prints what each step produced, then "all checks passed".
#
# Usage:
#   eng/check-base-images.sh [--creds USER:PASSWORD] [--cert-dir DIR] REGISTRY_ADDRESS
#
#   --creds USER:PASSWORD  credentials for a registry that requires basic auth.
#   --cert-dir DIR       verify the registry's TLS certificate against the CA
#                        certificates (*.crt) in DIR. Without it, TLS is not
#                        verified and plain HTTP is allowed.
#
# Requires root for umoci unpack and runc, and the .NET SDK (dotnet on PATH)
# to publish the test app. Exits 1 at the first failed check.
set -euo pipefail

readonly script_name="check-base-images.sh"
readonly channel="10.0"
readonly app_uid=1654
# Bounds each container run, so that a hung process cannot stall the tests.
readonly run_timeout_seconds=120

usage() {
    sed -n '/^# Usage:/,/^# Requires/p' "${BASH_SOURCE[0]}" | sed -e 's/^# \{0,1\}//' -e '$d'
}

fail() {
    echo "$script_name: $*" >&2
    exit 1
}

step() {
    echo
    echo "== $*"
}

registry=""
creds=""
cert_dir=""
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
        -h|--help) usage; exit 0 ;;
        -*) usage >&2; fail "unknown option '$1'." ;;
        *)
            [[ -z "$registry" ]] || { usage >&2; fail "expected one REGISTRY_ADDRESS, got '$registry' and '$1'."; }
            registry="$1"
            ;;
    esac
    shift
done
[[ -n "$registry" ]] || { usage >&2; fail "missing REGISTRY_ADDRESS."; }
if [[ -n "$cert_dir" && ! -d "$cert_dir" ]]; then
    fail "--cert-dir $cert_dir is not a directory."
fi

[[ "$(id -u)" -eq 0 ]] || fail "must run as root, because umoci unpack and runc need root. Run it with sudo."
for tool in skopeo umoci runc python3 dotnet sha256sum tar gzip timeout; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool not found. Run eng/install-prereqs.sh (dotnet comes with the .NET SDK)."
done

# Options for skopeo inspect, and the same for the source side of skopeo copy.
inspect_options=()
copy_options=()
if [[ -n "$cert_dir" ]]; then
    inspect_options+=(--cert-dir "$cert_dir" --tls-verify=true)
    copy_options+=(--src-cert-dir "$cert_dir" --src-tls-verify=true)
else
    inspect_options+=(--tls-verify=false)
    copy_options+=(--src-tls-verify=false)
fi
if [[ -n "$creds" ]]; then
    inspect_options+=(--creds "$creds")
    copy_options+=(--src-creds "$creds")
fi

work_dir="$(mktemp -d)"
container_ids=()
cleanup() {
    local id
    for id in "${container_ids[@]}"; do
        runc delete --force "$id" >/dev/null 2>&1 || true
    done
    rm -rf "$work_dir"
}
trap cleanup EXIT
# Turn signals into an exit so that the EXIT trap cleans up for them too.
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Inspect both images. ---------------------------------------------------

debian_architecture="$(dpkg --print-architecture)"
case "$debian_architecture" in
    amd64) architecture=amd64 ;;
    arm64) architecture=arm64 ;;
    armhf) architecture=arm ;;
    i386) architecture=386 ;;
    ppc64el) architecture=ppc64le ;;
    s390x) architecture=s390x ;;
    riscv64) architecture=riscv64 ;;
    *) fail "unsupported Debian architecture '$debian_architecture'." ;;
esac

for repository in runtime-deps runtime; do
    reference="$registry/dotnet/$repository:$channel"
    step "skopeo inspect docker://$reference"
    inspect_file="$work_dir/inspect-$repository.json"
    skopeo inspect "${inspect_options[@]}" "docker://$reference" > "$inspect_file" ||
        fail "skopeo inspect of $reference failed (output above). Run eng/make-base-images.sh $registry first."

    expected_env=(
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
        APP_UID=$app_uid
        DOTNET_RUNNING_IN_CONTAINER=true
        DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true
    )
    if [[ "$repository" == runtime ]]; then
        expected_env+=(DOTNET_ROOT=/usr/share/dotnet)
    fi
    python3 - "$inspect_file" "$architecture" "${expected_env[@]}" <<'PYTHON' ||
import json, sys
path, architecture, expected_env = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(path) as inspect_file:
    image = json.load(inspect_file)
print(f"digest {image['Digest']}")
print(f"os/architecture {image['Os']}/{image['Architecture']}, {len(image['Layers'])} layers")
for variable in image["Env"]:
    print(f"env {variable}")
problems = []
if image["Os"] != "linux" or image["Architecture"] != architecture:
    problems.append(f"platform is {image['Os']}/{image['Architecture']}, expected linux/{architecture}")
problems += [f"Env lacks {variable}" for variable in expected_env if variable not in image["Env"]]
for problem in problems:
    print(f"check failed: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
PYTHON
        fail "the image config of $reference is not as eng/make-base-images.sh writes it (details above)."
done

# --- Pull and unpack dotnet/runtime. ----------------------------------------

reference="$registry/dotnet/runtime:$channel"
layout="$work_dir/layout"
step "skopeo copy docker://$reference oci:$layout:$channel"
skopeo --insecure-policy copy --quiet "${copy_options[@]}" "docker://$reference" "oci:$layout:$channel" ||
    fail "skopeo copy of $reference failed (output above)."

# GNU tar rejects a layer without the end-of-archive blocks, a flaw that
# lenient readers such as umoci would let through.
for blob in "$layout"/blobs/sha256/*; do
    if gzip -t "$blob" 2>/dev/null; then
        entries="$(gzip -dc "$blob" | tar -t | wc -l)" ||
            fail "layer ${blob##*/} is not a valid tar archive (GNU tar output above)."
        echo "layer sha256:${blob##*/}: $(stat -c %s "$blob") bytes, $entries entries, valid tar+gzip"
    fi
done

bundle="$work_dir/bundle"
step "umoci unpack --image $layout:$channel $bundle"
umoci unpack --image "$layout:$channel" "$bundle" > "$work_dir/umoci.log" 2>&1 || {
    cat "$work_dir/umoci.log" >&2
    fail "umoci unpack of $layout:$channel failed (output above)."
}
echo "unpacked $(find "$bundle/rootfs" | wc -l) paths into $bundle/rootfs"

# --- Publish the hello-world app. -------------------------------------------

step "dotnet publish of a framework-dependent hello-world app"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
app_name=hello
app_source="$work_dir/$app_name"
app_output="$work_dir/publish"
# The app hashes a string with SHA-256, which .NET on Linux computes through
# OpenSSL, and reads the user name from /etc/passwd, so its output shows that
# both work in the image.
(
    # dotnet looks for global.json from the current directory upwards, so run
    # it outside any repository that pins another SDK.
    cd "$work_dir"
    dotnet new console --name "$app_name" --output "$app_source" > "$work_dir/dotnet-new.log" 2>&1 || {
        cat "$work_dir/dotnet-new.log" >&2
        exit 1
    }
    cat > "$app_source/Program.cs" <<'CSHARP'
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("ocibuild")));
Console.WriteLine($"Hello from {RuntimeInformation.FrameworkDescription} on {RuntimeInformation.RuntimeIdentifier}");
Console.WriteLine($"user={Environment.UserName} culture='{CultureInfo.CurrentCulture.Name}' sha256(ocibuild)={digest}");
CSHARP
    # Without build servers, no compiler or MSBuild process outlives the check.
    dotnet publish "$app_source" -c Release -o "$app_output" --disable-build-servers \
        > "$work_dir/dotnet-publish.log" 2>&1 || {
        cat "$work_dir/dotnet-publish.log" >&2
        exit 1
    }
) || fail "creating or publishing the hello-world app with $(command -v dotnet) failed (output above)."
ls "$app_output"
mkdir -p "$bundle/rootfs/app"
cp -R "$app_output/." "$bundle/rootfs/app/"

# --- Run in the bundle. -----------------------------------------------------

# Rewrite the bundle's config.json for one run: the command, the user, no
# terminal (the tests have none) and, when STRIP_CGROUPS is 1, no cgroup settings.
configure_run() {
    local uid="$1" strip_cgroups="$2"
    shift 2
    python3 - "$bundle/config.json" "$uid" "$strip_cgroups" "$@" <<'PYTHON'
import json, sys
path, uid, strip_cgroups, args = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4:]
with open(path) as config_file:
    config = json.load(config_file)
process = config["process"]
process["terminal"] = False
process["args"] = args
process["user"] = {"uid": uid, "gid": uid}
process["cwd"] = "/app"
home = "/root" if uid == 0 else "/home/app"
process["env"] = [v for v in process["env"] if not v.startswith("HOME=")] + [f"HOME={home}"]
if strip_cgroups:
    config["linux"].pop("resources", None)
    config["linux"].pop("cgroupsPath", None)
with open(path, "w") as config_file:
    json.dump(config, config_file, indent=2)
PYTHON
}

strip_cgroups=0
run_count=0
output_file="$work_dir/run.out"

# Run ARGS as UID in the bundle and print the output. Sets run_output.
run_in_bundle() {
    local uid="$1"
    shift
    run_count=$(( run_count + 1 ))
    local id="ocibuild-check-$$-$run_count"
    container_ids+=("$id")

    step "runc run (uid $uid): $*"
    configure_run "$uid" "$strip_cgroups" "$@"
    local status=0
    timeout --kill-after=5 "$run_timeout_seconds" runc run --bundle "$bundle" "$id" \
        < /dev/null > "$output_file" 2>&1 || status=$?

    # runc reports cgroup setup errors before the process starts, so a retry
    # without the cgroup settings that umoci writes runs the command once.
    # NOTE: runc 1.1.5 accepted those settings on a host with cgroups v1 and
    # v2 mounted side by side, so this path has run only with a forced error.
    if [[ $status -ne 0 && $strip_cgroups -eq 0 ]] && grep -qi cgroup "$output_file"; then
        echo "note: runc failed on cgroup settings, removing linux.resources and cgroupsPath from config.json:"
        sed 's/^/    /' "$output_file"
        runc delete --force "$id" >/dev/null 2>&1 || true
        strip_cgroups=1
        configure_run "$uid" "$strip_cgroups" "$@"
        status=0
        timeout --kill-after=5 "$run_timeout_seconds" runc run --bundle "$bundle" "$id" \
            < /dev/null > "$output_file" 2>&1 || status=$?
    fi

    cat "$output_file"
    if [[ $status -eq 124 ]]; then
        fail "'$*' in the container timed out after $run_timeout_seconds s."
    fi
    [[ $status -eq 0 ]] || fail "'$*' in the container failed with exit code $status (output above)."
    run_output="$(cat "$output_file")"
}

expect_output() {
    local expected="$1" description="$2"
    [[ "$run_output" == *"$expected"* ]] ||
        fail "$description: the output lacks '$expected'."
}

runtime_version="$(python3 -c 'import json, sys
env = json.load(open(sys.argv[1]))["Env"]
print(next(v.split("=", 1)[1] for v in env if v.startswith("DOTNET_VERSION=")))' "$work_dir/inspect-runtime.json")"
expected_digest="$(printf '%s' ocibuild | sha256sum | cut -d' ' -f1)"

run_in_bundle 0 /bin/sh -c 'id app && ls -ld /tmp && ls /usr/bin | wc -l'
expect_output "uid=$app_uid(app) gid=$app_uid(app)" "id app"
expect_output "drwxrwxrwt" "ls -ld /tmp"

run_in_bundle 0 /usr/bin/dotnet --list-runtimes
expect_output "Microsoft.NETCore.App $runtime_version [/usr/share/dotnet/shared/Microsoft.NETCore.App]" \
    "dotnet --list-runtimes"

run_in_bundle "$app_uid" "/app/$app_name"
expect_output "Hello from .NET $channel" "the apphost"
expect_output "user=app culture='' sha256(ocibuild)=$expected_digest" "the apphost"

run_in_bundle 0 /usr/bin/dotnet "/app/$app_name.dll"
expect_output "Hello from .NET $channel" "dotnet $app_name.dll"
expect_output "user=root culture='' sha256(ocibuild)=$expected_digest" "dotnet $app_name.dll"

echo
echo "$script_name: all checks passed for $registry"
