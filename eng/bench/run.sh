#!/usr/bin/env bash
# Benchmarks OciBuild's PublishOciImage against the .NET SDK's PublishContainer and against buildah on
# the same inputs, in the same run, alternating contenders. Prints one Markdown table and writes it,
# with the machine it ran on, to docs/benchmarks.md.
#
# The figure that counts for publishing is the container step: `dotnet publish --no-build` with the
# image target, minus the same publish without it, both measured in the same round. Each figure is
# the median of OCIBUILD_BENCH_RUNS rounds (default 5). OCIBUILD_BENCH_BIG_MIB (default 1024) sets the
# size of the big layer; a small one checks the script itself quickly.
#
# Usage: eng/bench/run.sh [--no-build] [--skip-big]
#   --no-build   use the artifacts of an earlier eng/build.sh
#   --skip-big   leave out the 1 GiB layer push and pull
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
runs=${OCIBUILD_BENCH_RUNS:-5}
build=true skip_big=false
for argument in "$@"; do
    case "$argument" in
        --no-build) build=false ;;
        --skip-big) skip_big=true ;;
        *) echo "run.sh: unknown argument '$argument' (expected --no-build or --skip-big)" >&2; exit 2 ;;
    esac
done

source "$repo_root/eng/bench/lib.sh"

$build && eng/build.sh >/dev/null
work=$(mktemp -d /tmp/ocibuild-bench.XXXXXX)
cleanup() {
    local registry_dir
    for registry_dir in "$work"/registry "$work"/big-seed "$work"/big-push-*; do
        [[ -f $registry_dir/pid ]] && { eng/registry.sh stop "$registry_dir" >/dev/null 2>&1 || true; }
    done
    rm -rf "$work"
}
trap cleanup EXIT

port_address=$(eng/registry.sh start "$work/registry")
# The SDK speaks plain HTTP only to registries named localhost; every contender uses that name.
registry="localhost:${port_address##*:}"
eng/make-base-images.sh "$port_address" >/dev/null
export NUGET_PACKAGES="$work/nuget-packages"
export OCIBUILD_STORAGE="$work/ocibuild-store"
log "registry at $registry; work folder $work"

prepare_app fd "$work/fd" ""
prepare_app sc "$work/sc" "-r linux-x64 --self-contained"

for app in fd sc; do
    base=$([[ $app == fd ]] && echo "$registry/dotnet/runtime:10.0" || echo "$registry/dotnet/runtime-deps:10.0")
    for round in $(seq 1 "$runs"); do
        log "$app: round $round of $runs"
        for scenario in cold nochange change; do
            if [[ $scenario == change ]]; then
                change_app "$work/$app" "$round"
            fi
            measure_round "$app" "$work/$app" "$base" "$scenario" "$round"
        done
    done
done

measure_pull "$work"
$skip_big || measure_big_layer "$work"

report > "$work/report.md"
cat "$work/report.md"
cp "$work/report.md" "$repo_root/docs/benchmarks.md"
log "wrote docs/benchmarks.md"
