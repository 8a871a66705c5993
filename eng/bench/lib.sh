# Functions for eng/bench/run.sh: preparing the inputs, timing each contender, and the report.
# Every timing appends "KEY<TAB>SECONDS<TAB>PEAK_RSS_KB" to $work/results.tsv.

log() { echo "bench: $*" >&2; }

# Runs a command under /usr/bin/time and records its wall time and peak RSS under KEY.
timed() {
    local key="$1"
    shift
    local stats="$work/time.out"
    if ! /usr/bin/time -f '%e %M' -o "$stats" "$@" >"$work/last.log" 2>&1; then
        log "failed: $* (output in $work/last.log)"
        tail -n 20 "$work/last.log" >&2
        return 1
    fi
    read -r seconds rss <"$stats"
    printf '%s\t%s\t%s\n' "$key" "$seconds" "$rss" >>"$work/results.tsv"
}

# Copies samples/HelloEcho to DIR with a nuget.config for artifacts/packages, and builds it once.
prepare_app() {
    local name="$1" dir="$2" publish_args="$3"
    mkdir -p "$dir"
    cp samples/HelloEcho/HelloEcho.csproj samples/HelloEcho/Program.cs "$dir/"
    echo '<Project />' >"$dir/Directory.Build.props"
    echo '<Project />' >"$dir/Directory.Build.targets"
    cat >"$dir/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="ocibuild-local" value="$repo_root/artifacts/packages" />
  </packageSources>
</configuration>
CONFIG
    echo "$publish_args" >"$dir/publish-args"
    # shellcheck disable=SC2086
    (cd "$dir" && dotnet publish -c Release -nologo -v:quiet $publish_args >"$work/prepare-$name.log" 2>&1) \
        || { log "could not publish the $name input; see $work/prepare-$name.log"; exit 1; }
    local size
    size=$(du -sm "$(publish_dir "$dir")" | cut -f1)
    log "$name input: $size MB of publish output"
    printf '%s\t%s\n' "$name" "$size" >>"$work/inputs.tsv"
}

publish_dir() {
    local dir="$1" args
    args=$(cat "$dir/publish-args")
    if [[ -n "$args" ]]; then
        echo "$dir/bin/Release/net10.0/linux-x64/publish"
    else
        echo "$dir/bin/Release/net10.0/publish"
    fi
}

# Changes one source line, so that only the app's own assembly differs, and rebuilds outside the timing.
change_app() {
    local dir="$1" round="$2" args
    args=$(cat "$dir/publish-args")
    sed -i "s/This is a new container named [^{]*{name}/This is a new container (change $round) named {name}/" "$dir/Program.cs"
    # shellcheck disable=SC2086
    (cd "$dir" && dotnet build -c Release -nologo -v:quiet $args >"$work/change.log" 2>&1) \
        || { log "the rebuild after the change failed; see $work/change.log"; exit 1; }
}

# One round of one scenario: the plain publish, then each contender, in an order that rotates by round.
measure_round() {
    local app="$1" dir="$2" base="$3" scenario="$4" round="$5" args
    args=$(cat "$dir/publish-args")
    local publish=(dotnet publish -c Release --no-build -nologo -v:minimal -m:1 -nodeReuse:false)
    # shellcheck disable=SC2206
    publish+=($args)

    if [[ $scenario == cold ]]; then
        find "$dir/obj" -maxdepth 5 -iname '*ocibuild*' -exec rm -rf {} + 2>/dev/null || true
        rm -rf "$work/tmp/Containers" "$work/buildah-$app-$round"
    fi
    mkdir -p "$work/tmp"

    (cd "$dir" && timed "$app $scenario baseline $round" "${publish[@]}")
    local contenders=(ours sdk buildah)
    local offset=$(((round - 1) % 3))
    for i in 0 1 2; do
        case "${contenders[$(((i + offset) % 3))]}" in
            ours)
                (cd "$dir" && timed "$app $scenario ours $round" "${publish[@]}" -t:PublishOciImage \
                    -p:OciBaseImage="$base" -p:OciRegistry="$registry" -p:OciTlsVerify=false \
                    -p:OciRepository="bench-$app-ours-$round")
                ;;
            sdk)
                (cd "$dir" && TMPDIR="$work/tmp" timed "$app $scenario sdk $round" "${publish[@]}" -t:PublishContainer \
                    -p:ContainerBaseImage="$base" -p:ContainerRegistry="$registry" \
                    -p:ContainerRepository="bench-$app-sdk-$round")
                ;;
            buildah)
                timed "$app $scenario buildah $round" bash "$repo_root/eng/bench/buildah-build.sh" \
                    "$work/buildah-$app-$round" "$base" "$(publish_dir "$dir")" "$registry/bench-$app-buildah-$round:latest"
                ;;
        esac
    done
}

# Pull of the self-contained image into a fresh local store, against skopeo copying it to an oci: folder.
measure_pull() {
    local work="$1" image="$registry/bench-sc-ours-1:latest"
    for round in $(seq 1 "$runs"); do
        timed "pull ours $round" "$repo_root/artifacts/ocibuild" --root "$work/pull-store-$round" pull --tls-verify=false "$image"
        timed "pull skopeo $round" skopeo copy --src-tls-verify=false "docker://$image" "oci:$work/pull-oci-$round:latest"
    done
}

# Pull and push of an image with one 1 GiB layer of random bytes, against skopeo doing the same, in
# OCIBUILD_BENCH_RUNS rounds with the order of the contenders rotating. Skopeo seeds the image once and
# gzips the layer on the way (still about 1 GiB, because random bytes do not compress). Each round pulls
# it into an empty local store (OciBuild) and an empty oci: folder (skopeo). Then each tool pushes what
# it pulled into a fresh registry of its own, so both push the same bytes and neither can mount or skip them.
measure_big_layer() {
    local work="$1" layout="$work/big-layout" seed_address seed_registry
    log "making a ${OCIBUILD_BENCH_BIG_MIB:-1024} MiB random layer"
    bash "$repo_root/eng/bench/make-big-image.sh" "$layout" "${OCIBUILD_BENCH_BIG_MIB:-1024}" >/dev/null
    seed_address=$(eng/registry.sh start "$work/big-seed")
    seed_registry="localhost:${seed_address##*:}"
    skopeo copy -q --dest-tls-verify=false "oci:$layout:latest" "docker://$seed_registry/big:latest"
    rm -rf "$layout"

    local image="$seed_registry/big:latest"
    for round in $(seq 1 "$runs"); do
        log "big layer: round $round of $runs"
        local store="$work/big-store" folder="$work/big-oci"
        if ((round % 2)); then
            timed "big pull ours $round" "$repo_root/artifacts/ocibuild" --root "$store" pull --tls-verify=false "$image"
            timed "big pull skopeo $round" skopeo copy --src-tls-verify=false "docker://$image" "oci:$folder:latest"
        else
            timed "big pull skopeo $round" skopeo copy --src-tls-verify=false "docker://$image" "oci:$folder:latest"
            timed "big pull ours $round" "$repo_root/artifacts/ocibuild" --root "$store" pull --tls-verify=false "$image"
        fi

        for contender in $( ((round % 2)) && echo "skopeo ours" || echo "ours skopeo"); do
            local address
            address=$(eng/registry.sh start "$work/big-push-$contender")
            local target="localhost:${address##*:}/big:latest"
            if [[ $contender == ours ]]; then
                timed "big push ours $round" "$repo_root/artifacts/ocibuild" --root "$store" push --tls-verify=false "$image" "docker://$target"
            else
                timed "big push skopeo $round" skopeo copy --dest-tls-verify=false "oci:$folder:latest" "docker://$target"
            fi
            eng/registry.sh stop "$work/big-push-$contender" --clean >/dev/null
        done
        rm -rf "$store" "$folder"
    done
    eng/registry.sh stop "$work/big-seed" --clean >/dev/null
}

# Prints the median of the values in column COLUMN of the rows whose key starts with PREFIX.
median() {
    local prefix="$1" column="$2"
    awk -F'\t' -v p="$prefix " -v c="$column" 'index($1, p) == 1 { print $c }' "$work/results.tsv" \
        | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The container step of a contender: its publish minus the plain publish of the same round, as a median.
step_median() {
    local app="$1" scenario="$2" contender="$3"
    awk -F'\t' -v a="$app" -v s="$scenario" -v c="$contender" '
        { split($1, k, " ") }
        k[1] == a && k[2] == s && k[3] == "baseline" { base[k[4]] = $2 }
        k[1] == a && k[2] == s && k[3] == c { value[k[4]] = $2 }
        END { for (r in value) print (c == "buildah" ? value[r] : value[r] - base[r]) }' "$work/results.tsv" \
        | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) printf "%.2f\n", v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0 || a == "nan" || b == "nan") print "n/a"; else printf "%.2f", a / b }'; }

megabytes() { awk -v k="$1" 'BEGIN { if (k == "nan") print "n/a"; else printf "%.0f", k / 1024 }'; }

report() {
    echo "# Benchmarks"
    echo
    echo "Written by \`eng/bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); medians of $runs rounds, contenders alternating."
    echo "Machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -n 1)), $(free -g | awk '/^Mem:/ { print $2 }') GiB memory,"
    echo "$(. /etc/os-release && echo "$PRETTY_NAME"), .NET SDK $(dotnet --version), $(buildah --version | cut -d' ' -f1-3), $(skopeo --version)."
    echo "Inputs: HelloEcho framework-dependent ($(awk '$1 == "fd" { print $2 }' "$work/inputs.tsv") MB published) on dotnet/runtime,"
    echo "and self-contained linux-x64 ($(awk '$1 == "sc" { print $2 }' "$work/inputs.tsv") MB) on dotnet/runtime-deps, both base images made from local files."
    echo
    echo "The container step is \`dotnet publish --no-build\` with the image target minus the same publish without it;"
    echo "buildah's figure is its whole from, copy, config, commit and push. Peak RSS is of the whole command."
    echo
    echo "| input | scenario | OciBuild step (s) | SDK step (s) | buildah (s) | OciBuild / SDK | OciBuild / buildah | peak RSS OciBuild / SDK / buildah (MB) |"
    echo "|---|---|---|---|---|---|---|---|"
    for app in fd sc; do
        for scenario in cold nochange change; do
            local ours sdk buildah
            ours=$(step_median "$app" "$scenario" ours)
            sdk=$(step_median "$app" "$scenario" sdk)
            buildah=$(step_median "$app" "$scenario" buildah)
            echo "| $app | $scenario | $ours | $sdk | $buildah | $(ratio "$ours" "$sdk") | $(ratio "$ours" "$buildah") | $(megabytes "$(median "$app $scenario ours" 3)") / $(megabytes "$(median "$app $scenario sdk" 3)") / $(megabytes "$(median "$app $scenario buildah" 3)") |"
        done
    done
    echo
    echo "| transfer | OciBuild (s) | skopeo (s) | OciBuild / skopeo | peak RSS OciBuild / skopeo (MB) |"
    echo "|---|---|---|---|---|"
    for transfer in pull "big pull" "big push"; do
        local ours skopeo
        ours=$(median "$transfer ours" 2)
        skopeo=$(median "$transfer skopeo" 2)
        [[ $ours == nan ]] && continue
        echo "| $transfer | $ours | $skopeo | $(ratio "$ours" "$skopeo") | $(megabytes "$(median "$transfer ours" 3)") / $(megabytes "$(median "$transfer skopeo" 3)") |"
    done
    echo
    echo "\"pull\" is the self-contained image into an empty local store (OciBuild) or oci: folder (skopeo);"
    echo "\"big\" is an image with one 1 GiB layer of random bytes (gzip, as skopeo stores it), pulled from a loopback registry"
    echo "and pushed by each tool into a fresh loopback registry of its own; medians of $runs rounds."
    echo
    echo "## Targets"
    echo
    target "cold container step, 80 MB app, vs the SDK" "$(ratio "$(step_median sc cold ours)" "$(step_median sc cold sdk)")" 0.2
    target "cold container step, 80 MB app, vs buildah" "$(ratio "$(step_median sc cold ours)" "$(step_median sc cold buildah)")" 0.2
    target "no-change rebuild, 80 MB app, vs the SDK" "$(ratio "$(step_median sc nochange ours)" "$(step_median sc nochange sdk)")" 0.05
    target "app change, 80 MB app, vs the SDK" "$(ratio "$(step_median sc change ours)" "$(step_median sc change sdk)")" 0.1
    target "1 GiB pull vs skopeo" "$(ratio "$(median "big pull ours" 2)" "$(median "big pull skopeo" 2)")" 1
    target "1 GiB push vs skopeo" "$(ratio "$(median "big push ours" 2)" "$(median "big push skopeo" 2)")" 1
    target "1 GiB pull peak RSS in MB (limit 80)" "$(megabytes "$(median "big pull ours" 3)")" 80
    target "1 GiB push peak RSS in MB (limit 80)" "$(megabytes "$(median "big push ours" 3)")" 80
    # The explanations are written by hand, so they live in a file of their own that every run appends.
    if [[ -f $repo_root/eng/bench/notes.md ]]; then
        echo
        cat "$repo_root/eng/bench/notes.md"
    fi
}

# Prints one line: the target, the measured value, and whether it is at or below the limit.
target() {
    local name="$1" value="$2" limit="$3"
    awk -v n="$name" -v v="$value" -v l="$limit" 'BEGIN {
        if (v == "n/a" || v == "nan") { printf "- %s: not measured\n", n; exit }
        printf "- %s: %s (target at most %s): %s\n", n, v, l, (v + 0 <= l + 0 ? "met" : "not met") }'
}
