#!/usr/bin/env bash
# Build, then run every test project, and end with one line "N passed, N failed, N skipped" totalled
# over all of them. The integration tests start their own registries on loopback ports and need the
# Debian packages from eng/install-prereqs.sh, root (for runc), and the build's artifacts.
#
# Usage: eng/test.sh [--no-build] [extra dotnet test arguments, such as --filter X]
set -uo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

build=true
if [[ "${1:-}" == "--no-build" ]]; then
    build=false
    shift
fi

if $build; then
    eng/build.sh || { echo "test.sh: the build failed"; echo "0 passed, 1 failed"; exit 1; }
fi

results_dir="$repo_root/artifacts/test-results"
rm -rf "$results_dir"
mkdir -p "$results_dir"

passed=0 failed=0 skipped=0
for project in tests/*/*.csproj; do
    name=$(basename "$project" .csproj)
    echo "== $name"
    log="$results_dir/$name.log"
    dotnet test "$project" -c Release --no-build --logger "trx;LogFileName=$name.trx" --results-directory "$results_dir" "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}

    # `dotnet test` ends each assembly with "Passed!  - Failed: N, Passed: N, Skipped: N, Total: N".
    summary=$(grep -E '(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" | tail -n 1)
    if [[ -z "$summary" ]]; then
        echo "test.sh: $name printed no test summary (exit code $status); counting it as one failure"
        failed=$((failed + 1))
        continue
    fi

    f=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$summary")
    p=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$summary")
    s=$(sed -E 's/.*Skipped: +([0-9]+).*/\1/' <<<"$summary")
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
    if [[ $status -ne 0 && $f -eq 0 ]]; then
        echo "test.sh: $name exited with $status although no test failed; counting it as one failure"
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 && $passed -gt 0 ]]
