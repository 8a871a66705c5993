#!/usr/bin/env bash
# Replays the container registry tutorial with ocibuild in every step: build an image that contains
# Debian's docker-registry binary and a config from local files, run it on the host network,
# push a working container's image to it, compare ocibuild inspect with skopeo, push with
# credentials to a second registry that requires them, remove the image, pull it back, and
# replace a changed local copy with --pull-always.
#
# Needs root (runc and overlay mounts), eng/install-prereqs.sh packages and eng/build.sh output.
# Usage: tests/registry-tutorial.sh   (OCIBUILD=path overrides artifacts/ocibuild)
# Prints one "== step" line per step and ends with "registry-tutorial: all steps passed".
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ocibuild=${OCIBUILD:-$repo_root/artifacts/ocibuild}
work=$(mktemp -d /tmp/ocibuild-tutorial-XXXXXX)
export OCIBUILD_STORAGE="$work/store"
run_pid=""

fail() {
    echo "registry-tutorial: $*" >&2
    exit 1
}

step() {
    echo "== $*"
}

cleanup() {
    if [[ -n "$run_pid" ]] && kill -0 "$run_pid" 2>/dev/null; then
        # ocibuild run forwards SIGTERM to the container and exits after runc has deleted it.
        kill -TERM "$run_pid"
        wait "$run_pid" 2>/dev/null || true
    fi

    "$ocibuild" rm --all >/dev/null 2>&1 || true
    "$repo_root/eng/registry.sh" stop "$work/base" --clean >/dev/null 2>&1 || true
    "$repo_root/eng/registry.sh" stop "$work/auth" --clean >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# Picks a loopback port that nothing listens on, from below Linux's default ephemeral range.
free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 12768 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    fail "found no free loopback port"
}

# Waits until GET /v2/ succeeds on ADDRESS, because the registry binary needs a moment to listen.
wait_for_registry() {
    local address="$1"
    for _ in $(seq 1 150); do
        if curl -fsS -o /dev/null "http://$address/v2/"; then
            return
        fi
        if ! kill -0 "$run_pid" 2>/dev/null; then
            fail "ocibuild run ended before the registry listened; its output:$(printf '\n'; cat "$work/run.log")"
        fi
        sleep 0.2
    done
    fail "the registry in the container did not answer on $address; ocibuild run's output:$(printf '\n'; cat "$work/run.log")"
}

manifest_digest_of() {
    "$ocibuild" images --json | python3 -c 'import json,sys; name=sys.argv[1]; print(next(i["digest"] for i in json.load(sys.stdin) if name in i["names"]))' "$1"
}

step "start a registry with the base images"
base=$("$repo_root/eng/registry.sh" start "$work/base")
"$repo_root/eng/make-base-images.sh" "$base" >/dev/null
base_image="$base/dotnet/runtime-deps:10.0"

step "build the registry image from local files"
port=$(free_port)
mkdir -p "$work/files"
cat > "$work/files/config.yml" <<YAML
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: 127.0.0.1:$port
YAML
builder=$("$ocibuild" from --tls-verify=false --name registry-build "$base_image")
"$ocibuild" copy "$builder" /usr/bin/docker-registry /usr/bin/
"$ocibuild" copy "$builder" "$work/files/config.yml" /etc/docker/registry/config.yml
"$ocibuild" config --entrypoint '["/usr/bin/docker-registry","serve","/etc/docker/registry/config.yml"]' \
    --port "$port" --label org.opencontainers.image.title=registry "$builder"
"$ocibuild" commit -q "$builder" registry:latest >/dev/null
"$ocibuild" images | grep -q 'localhost/registry:latest' || fail "images does not list localhost/registry:latest"

step "run the registry image on the host network"
server=$("$ocibuild" from --name registry-server registry)
"$ocibuild" --debug run --network host "$server" > "$work/run.log" 2>&1 &
run_pid=$!
registry="127.0.0.1:$port"
wait_for_registry "$registry"
grep -q '"args"' "$work/run.log" || fail "run --debug printed no runtime spec"

step "push a working container's image with --tls-verify=false"
app=$("$ocibuild" from --tls-verify=false --name app "$base_image")
echo "first version" > "$work/files/version.txt"
"$ocibuild" copy "$app" "$work/files/version.txt" /srv/version.txt
"$ocibuild" config --cmd 'cat /srv/version.txt' "$app"
"$ocibuild" commit -q "$app" "$registry/app:1" >/dev/null
"$ocibuild" push --tls-verify=false "$registry/app:1"

step "ocibuild inspect agrees with skopeo on the digest"
ours=$("$ocibuild" inspect --tls-verify=false "docker://$registry/app:1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')
theirs=$(skopeo inspect --tls-verify=false "docker://$registry/app:1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')
[[ "$ours" == "$theirs" ]] || fail "ocibuild inspect gives $ours, skopeo inspect gives $theirs"
[[ "$ours" == "$(manifest_digest_of "$registry/app:1")" ]] || fail "the pushed digest $ours is not the local image's"

step "push with --creds to a registry that requires them"
auth=$("$repo_root/eng/registry.sh" start "$work/auth" --auth tutorial:secret-word)
if "$ocibuild" push --tls-verify=false "$registry/app:1" "docker://$auth/app:1" 2>/dev/null; then
    fail "a push without credentials to $auth succeeded"
fi
"$ocibuild" push --tls-verify=false --creds tutorial:secret-word "$registry/app:1" "docker://$auth/app:1"
skopeo inspect --tls-verify=false --creds tutorial:secret-word "docker://$auth/app:1" >/dev/null

step "rmi removes the image and images shows it gone"
"$ocibuild" rmi "$registry/app:1" >/dev/null
if "$ocibuild" images | grep -q "$registry/app"; then
    fail "images still lists $registry/app:1 after rmi"
fi

step "from pulls it back"
pulled=$("$ocibuild" from --tls-verify=false --name pulled "$registry/app:1")
[[ "$("$ocibuild" run "$pulled")" == "first version" ]] || fail "the pulled image does not print its first version"

step "from --pull-always replaces a changed local copy"
echo "second version" > "$work/files/version.txt"
"$ocibuild" copy "$app" "$work/files/version.txt" /srv/version.txt
"$ocibuild" commit -q "$app" "docker://$registry/app:1" --tls-verify=false >/dev/null
stale=$("$ocibuild" from --name stale "$registry/app:1")
[[ "$("$ocibuild" run "$stale")" == "first version" ]] || fail "from without --pull-always did not use the local copy"
fresh=$("$ocibuild" from --tls-verify=false --pull-always --name fresh "$registry/app:1")
[[ "$("$ocibuild" run "$fresh")" == "second version" ]] || fail "from --pull-always did not replace the local copy"
[[ "$(manifest_digest_of "$registry/app:1")" == "$(skopeo inspect --tls-verify=false "docker://$registry/app:1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')" ]] \
    || fail "the local $registry/app:1 is not the registry's after --pull-always"

echo "registry-tutorial: all steps passed"
