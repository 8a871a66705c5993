#!/usr/bin/env bash
# Exercise the test bed scripts end to end in each registry mode: start a
# registry with eng/registry.sh, push the base images with
# eng/make-base-images.sh, run eng/check-base-images.sh against them and stop
# the registry. The TLS and auth cases also check that a client without the
# CA or the credentials is rejected.
#
# Usage: eng/check-test-bed.sh
#
# Prints one "passed:" or "FAILED:" line per case (with the log of a failed
# case), then "N passed, N failed". Exits 1 if a case failed. A run took 55 s
# on a 2-core machine, most of it in dotnet publish. Requires root.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly script_dir
readonly user="ocibuild"
# A throwaway password for a registry that lives only as long as this script.
readonly password="test-bed password"

work_dir="$(mktemp -d)"
registry_dirs=()
cleanup() {
    local dir
    for dir in "${registry_dirs[@]}"; do
        "$script_dir/registry.sh" stop "$dir" >/dev/null 2>&1 || true
    done
    rm -rf "$work_dir"
}
trap cleanup EXIT
# Turn signals into an exit so that the EXIT trap stops the registries too.
trap 'exit 130' INT
trap 'exit 143' TERM

# Start a registry in DIR with the given options and store its host:port in
# address. It sets a variable instead of printing, because a command
# substitution would run it in a subshell and lose the registry_dirs entry
# that cleanup needs.
address=""
start_registry() {
    local dir="$1"
    shift
    registry_dirs+=("$dir")
    address="$("$script_dir/registry.sh" start "$dir" "$@")"
}

# Stop the registry of DIR and fail if its process is still running.
stop_registry() {
    local dir="$1" pid
    pid="$(cat "$dir/pid")" || return 1
    "$script_dir/registry.sh" stop "$dir" || return 1
    if kill -0 "$pid" 2>/dev/null; then
        echo "registry process $pid of $dir is still running after registry.sh stop" >&2
        return 1
    fi
}

# Succeed if skopeo inspect of IMAGE with OPTIONS fails, as it must for a
# client that lacks the CA certificate or the credentials.
expect_inspect_rejected() {
    local image="$1"
    shift
    if skopeo inspect "$@" "docker://$image" > /dev/null 2>&1; then
        echo "skopeo inspect $* docker://$image succeeded, expected it to be rejected" >&2
        return 1
    fi
    echo "rejected as expected: skopeo inspect $* docker://$image"
}

case_plain() {
    local dir="$work_dir/plain"
    start_registry "$dir" || return 1
    "$script_dir/make-base-images.sh" "$address" || return 1
    "$script_dir/check-base-images.sh" "$address" || return 1
    stop_registry "$dir"
}

case_tls() {
    local dir="$work_dir/tls"
    start_registry "$dir" --tls || return 1
    "$script_dir/make-base-images.sh" --cert-dir "$dir" "$address" || return 1
    "$script_dir/check-base-images.sh" --cert-dir "$dir" "$address" || return 1
    expect_inspect_rejected "$address/dotnet/runtime:10.0" --tls-verify=true || return 1
    stop_registry "$dir"
}

case_auth() {
    local dir="$work_dir/auth"
    start_registry "$dir" --auth "$user:$password" || return 1
    "$script_dir/make-base-images.sh" --creds "$user:$password" "$address" || return 1
    "$script_dir/check-base-images.sh" --creds "$user:$password" "$address" || return 1
    expect_inspect_rejected "$address/dotnet/runtime:10.0" --tls-verify=false || return 1
    expect_inspect_rejected "$address/dotnet/runtime:10.0" --tls-verify=false --creds "$user:wrong" || return 1
    stop_registry "$dir"
}

case_tls_auth() {
    local dir="$work_dir/tls-auth"
    start_registry "$dir" --tls --auth "$user:$password" || return 1
    "$script_dir/make-base-images.sh" --cert-dir "$dir" --creds "$user:$password" "$address" || return 1
    "$script_dir/check-base-images.sh" --cert-dir "$dir" --creds "$user:$password" "$address" || return 1
    expect_inspect_rejected "$address/dotnet/runtime:10.0" --cert-dir "$dir" || return 1
    stop_registry "$dir"
}

passed=0
failed=0
for name in plain tls auth tls_auth; do
    log="$work_dir/$name.log"
    started=$SECONDS
    # The case functions chain their steps with '|| return 1', because set -e
    # has no effect inside a function called as an if condition.
    if "case_$name" > "$log" 2>&1; then
        passed=$(( passed + 1 ))
        echo "passed: $name ($(( SECONDS - started )) s)"
    else
        failed=$(( failed + 1 ))
        echo "FAILED: $name ($(( SECONDS - started )) s), log:"
        sed 's/^/    /' "$log"
    fi
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
