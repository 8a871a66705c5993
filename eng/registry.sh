#!/usr/bin/env bash
# Start and stop a throwaway docker-registry (Debian's package of the CNCF
# distribution registry) on 127.0.0.1 for tests and benchmarks.
#
# Usage:
#   eng/registry.sh start DIR [--tls [--client-ca]] [--auth USER:PASSWORD]
#                             [--token-realm URL --token-certs FILE]
#       Write DIR/config.yml, start the registry on a free port and wait until
#       GET /v2/ succeeds. Prints the address (127.0.0.1:PORT) as the only line
#       on stdout and also writes it to DIR/address. The process id goes to
#       DIR/pid and the registry's output to DIR/registry.log. Blobs are stored
#       under DIR/data, so a restart with the same DIR keeps the pushed images.
#       --tls   serve HTTPS with a certificate for localhost and 127.0.0.1,
#               signed by a throwaway CA whose certificate is DIR/ca.crt
#               (usable as `skopeo --cert-dir DIR` or `curl --cacert DIR/ca.crt`).
#       --auth  require HTTP basic authentication with this user and password.
#       --client-ca  (with --tls) require a client certificate signed by a
#               second throwaway CA. DIR/client-certs contains client.cert,
#               client.key and a copy of ca.crt, so it works as a
#               `--cert-dir` for clients that must present the certificate.
#       --token-realm URL, --token-certs FILE  require Bearer tokens from the
#               token service at URL (service "ocibuild-test-registry",
#               issuer "ocibuild-test-token-service"), signed by a key whose
#               certificate is in the PEM FILE. The two go together and
#               exclude --auth.
#   eng/registry.sh stop DIR [--clean]
#       Stop the registry started with DIR and remove DIR/pid. Leaves the rest
#       of DIR in place unless --clean is given, which removes DIR.
#
# Environment:
#   OCIBUILD_REGISTRY_START_TIMEOUT  seconds to wait for the registry to
#                                    accept requests (default 30).
#   The registry itself never sees REGISTRY_* variables from the caller,
#   because it reads them as overrides of config.yml.
set -euo pipefail

readonly script_name="registry.sh"
readonly registry_binary=/usr/bin/docker-registry

# Ports are drawn from below Linux's default ephemeral range (32768-60999), so
# outgoing connections rarely hold the port that was picked.
readonly port_min=20000
readonly port_max=32767
readonly max_bind_attempts=5

usage() {
    cat <<'EOF'
Usage:
  eng/registry.sh start DIR [--tls [--client-ca]] [--auth USER:PASSWORD]
                            [--token-realm URL --token-certs FILE]
  eng/registry.sh stop DIR [--clean]
EOF
}

fail() {
    echo "$script_name: $*" >&2
    exit 1
}

# Print the last lines of the registry log to stderr, for failure messages.
print_log_tail() {
    local log="$1"
    if [[ -s "$log" ]]; then
        echo "$script_name: last lines of $log:" >&2
        tail -n 20 "$log" | sed 's/^/    /' >&2
    fi
}

# Succeed if PID is a running docker-registry serving CONFIG, so that a stale
# pid file whose number now belongs to another process never gets it killed.
is_our_registry() {
    local pid="$1" config="$2"
    [[ -r "/proc/$pid/cmdline" ]] || return 1
    local cmdline
    cmdline="$(tr '\0' ' ' < "/proc/$pid/cmdline")"
    [[ "$cmdline" == *docker-registry*"$config"* ]]
}

random_port() {
    echo $(( port_min + (RANDOM * 32768 + RANDOM) % (port_max - port_min + 1) ))
}

# Succeed if something already accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Make a throwaway CA with certificate CA_CERT and common name CA_NAME, and let
# it sign one certificate CERT, with key KEY, common name NAME and the X.509
# extensions in the file EXTENSIONS. The CA's key is deleted afterwards, so
# nothing else can be signed with it. LABEL names the pair in the error.
issue_certificate() {
    local ca_cert="$1" ca_name="$2" key="$3" cert="$4" name="$5" extensions="$6" label="$7"
    local work
    work="$(mktemp -d)"

    # EC P-256 keys are fast to generate and accepted by Go's TLS stack, which
    # both docker-registry and skopeo use.
    if ! {
        openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
            -keyout "$work/ca.key" -out "$ca_cert" -days 30 \
            -subj "/CN=$ca_name" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" &&
        openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
            -keyout "$key" -out "$work/request.csr" \
            -subj "/CN=$name" &&
        openssl x509 -req -in "$work/request.csr" -CA "$ca_cert" -CAkey "$work/ca.key" \
            -CAcreateserial -CAserial "$work/ca.srl" -out "$cert" -days 30 -extfile "$extensions"
    } > "$work/openssl.log" 2>&1; then
        cat "$work/openssl.log" >&2
        rm -rf "$work"
        fail "openssl failed to create the $label (output above)."
    fi
    rm -rf "$work"
}

make_tls_files() {
    local dir="$1"
    local tls_dir="$dir/tls"
    mkdir -p "$tls_dir"
    chmod 700 "$tls_dir"

    local extensions="$tls_dir/server.ext"
    cat > "$extensions" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
EOF
    issue_certificate "$dir/ca.crt" "OciBuild test registry CA" "$tls_dir/server.key" "$tls_dir/server.crt" \
        localhost "$extensions" "test CA and server certificate in $tls_dir"
    rm -f "$extensions"
}

# Make a second throwaway CA that signs one client certificate, and put the
# certificate, its key and the server's CA into DIR/client-certs, the layout
# of a containers-certs.d(5) folder.
make_client_certificates() {
    local dir="$1"
    local tls_dir="$dir/tls"
    local client_dir="$dir/client-certs"
    mkdir -p "$client_dir"
    chmod 700 "$client_dir"

    local extensions="$tls_dir/client.ext"
    cat > "$extensions" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
EOF
    issue_certificate "$tls_dir/client-ca.crt" "OciBuild test client CA" "$client_dir/client.key" "$client_dir/client.cert" \
        ocibuild-test-client "$extensions" "client CA and client certificate in $client_dir"
    rm -f "$extensions"
    cp "$dir/ca.crt" "$client_dir/ca.crt"
}

make_htpasswd() {
    local dir="$1" credentials="$2"
    local user="${credentials%%:*}"
    local password="${credentials#*:}"
    if [[ "$credentials" != *:* || -z "$user" || -z "$password" ]]; then
        fail "invalid --auth value: expected USER:PASSWORD with both parts non-empty."
    fi
    command -v htpasswd >/dev/null 2>&1 ||
        fail "htpasswd not found; it comes with the apache2-utils package. Run eng/install-prereqs.sh."

    # docker-registry accepts only bcrypt entries (-B). The password goes in
    # on stdin (-i) so it does not show up in the process list.
    printf '%s' "$password" | htpasswd -B -i -c "$dir/htpasswd" "$user" 2> "$dir/htpasswd.log" || {
        cat "$dir/htpasswd.log" >&2
        fail "htpasswd failed to write $dir/htpasswd (output above)."
    }
    rm -f "$dir/htpasswd.log"
}

write_config() {
    local dir="$1" port="$2" tls="$3" auth="$4" client_ca="$5" token_realm="$6" token_certs="$7"
    local config="$dir/config.yml"
    # The registry signs upload state with this secret. Setting a random one
    # here avoids the warning the registry logs when it generates its own.
    local secret
    secret="$(openssl rand -hex 16)"

    {
        cat <<EOF
version: 0.1
log:
  level: warn
  formatter: text
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: $secret
EOF
        if [[ "$tls" == true ]]; then
            cat <<EOF
  tls:
    certificate: $dir/tls/server.crt
    key: $dir/tls/server.key
EOF
        fi
        if [[ "$client_ca" == true ]]; then
            cat <<EOF
    clientcas:
      - $dir/tls/client-ca.crt
EOF
        fi
        if [[ -n "$auth" ]]; then
            cat <<EOF
auth:
  htpasswd:
    realm: ocibuild-test-registry
    path: $dir/htpasswd
EOF
        fi
        if [[ -n "$token_realm" ]]; then
            cat <<EOF
auth:
  token:
    realm: $token_realm
    service: ocibuild-test-registry
    issuer: ocibuild-test-token-service
    rootcertbundle: $token_certs
EOF
        fi
    } > "$config"
}

# Succeed if process PID owns the socket listening on 127.0.0.1:PORT. A
# probe alone cannot tell our registry from another process that took the
# port between the free-port check and the bind.
owns_listener() {
    local pid="$1" port="$2"
    local port_hex inode fd
    printf -v port_hex '%04X' "$port"
    # In /proc/net/tcp, field 2 is the local address in hex (127.0.0.1 is
    # 0100007F), field 4 the state (0A is LISTEN) and field 10 the inode.
    inode="$(awk -v address="0100007F:$port_hex" '$2 == address && $4 == "0A" { print $10; exit }' /proc/net/tcp)"
    [[ -n "$inode" ]] || return 1
    for fd in "/proc/$pid/fd/"*; do
        if [[ "$(readlink "$fd" 2>/dev/null)" == "socket:[$inode]" ]]; then
            return 0
        fi
    done
    return 1
}

# Print the HTTP status of GET /v2/, or 000 when the request gets no response.
probe_status() {
    local dir="$1" port="$2" tls="$3" client_ca="$4"
    local url="http://127.0.0.1:$port/v2/"
    local curl_tls=()
    if [[ "$tls" == true ]]; then
        url="https://127.0.0.1:$port/v2/"
        # Verify against the test CA, which also checks the certificate we made.
        curl_tls=(--cacert "$dir/ca.crt")
        if [[ "$client_ca" == true ]]; then
            curl_tls+=(--cert "$dir/client-certs/client.cert" --key "$dir/client-certs/client.key")
        fi
    fi
    curl --silent --output /dev/null --write-out '%{http_code}' --max-time 2 \
        --noproxy '*' "${curl_tls[@]}" "$url" 2>/dev/null || true
}

# Pid of the registry being started. The EXIT trap stops it unless start succeeds.
starting_pid=""

stop_starting_registry() {
    if [[ -n "$starting_pid" ]] && kill -0 "$starting_pid" 2>/dev/null; then
        kill "$starting_pid" 2>/dev/null || true
        wait "$starting_pid" 2>/dev/null || true
    fi
}

start() {
    local dir="" tls=false auth="" client_ca=false token_realm="" token_certs=""
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --tls) tls=true ;;
            --auth)
                [[ $# -ge 2 ]] || fail "--auth requires a USER:PASSWORD value."
                auth="$2"
                shift
                ;;
            --auth=*) auth="${1#--auth=}" ;;
            --client-ca) client_ca=true ;;
            --token-realm)
                [[ $# -ge 2 ]] || fail "--token-realm requires a URL."
                token_realm="$2"
                shift
                ;;
            --token-certs)
                [[ $# -ge 2 ]] || fail "--token-certs requires a PEM file."
                token_certs="$2"
                shift
                ;;
            -*) usage >&2; fail "unknown option '$1' for start." ;;
            *)
                [[ -z "$dir" ]] || { usage >&2; fail "start takes one DIR, got '$dir' and '$1'."; }
                dir="$1"
                ;;
        esac
        shift
    done
    [[ -n "$dir" ]] || { usage >&2; fail "start requires a DIR."; }
    [[ "$client_ca" == false || "$tls" == true ]] || fail "--client-ca requires --tls."
    [[ ( -z "$token_realm" && -z "$token_certs" ) || ( -n "$token_realm" && -n "$token_certs" ) ]] ||
        fail "--token-realm and --token-certs go together; give both or neither."
    [[ -z "$token_realm" || -z "$auth" ]] || fail "--token-realm and --auth exclude each other, because the registry has one auth method."
    if [[ -n "$token_certs" ]]; then
        [[ -r "$token_certs" ]] || fail "--token-certs file '$token_certs' is not readable."
        token_certs="$(realpath -- "$token_certs")"
    fi

    [[ -x "$registry_binary" ]] ||
        fail "$registry_binary not found; it comes with the docker-registry package. Run eng/install-prereqs.sh."
    command -v curl >/dev/null 2>&1 || fail "curl not found. Run eng/install-prereqs.sh."
    command -v openssl >/dev/null 2>&1 || fail "openssl not found. Run eng/install-prereqs.sh."

    local timeout="${OCIBUILD_REGISTRY_START_TIMEOUT:-30}"
    [[ "$timeout" =~ ^[0-9]+$ && "$timeout" -gt 0 ]] ||
        fail "invalid OCIBUILD_REGISTRY_START_TIMEOUT '$timeout': expected a whole number of seconds greater than 0."

    dir="$(realpath -m -- "$dir")"
    mkdir -p "$dir/data"
    local config="$dir/config.yml"
    local log="$dir/registry.log"

    if [[ -s "$dir/pid" ]]; then
        local old_pid
        old_pid="$(cat "$dir/pid")"
        if is_our_registry "$old_pid" "$config"; then
            fail "a registry started with $dir is already running (pid $old_pid). Run 'eng/registry.sh stop $dir' first."
        fi
        rm -f "$dir/pid"
    fi
    rm -f "$dir/address" "$dir/ca.crt" "$dir/htpasswd"
    rm -rf "$dir/tls" "$dir/client-certs"

    if [[ "$tls" == true ]]; then
        make_tls_files "$dir"
    fi
    if [[ "$client_ca" == true ]]; then
        make_client_certificates "$dir"
    fi
    if [[ -n "$auth" ]]; then
        make_htpasswd "$dir" "$auth"
    fi

    trap stop_starting_registry EXIT
    # Turn signals into an exit so that the EXIT trap runs for them too.
    trap 'exit 130' INT
    trap 'exit 143' TERM

    # docker-registry reads every REGISTRY_* variable as a config override, so
    # a variable meant for another tool (skopeo's REGISTRY_AUTH_FILE, say)
    # could change the registry's settings.
    local unset_registry_variables=() name
    for name in $(compgen -e); do
        if [[ "$name" == REGISTRY_* ]]; then
            unset_registry_variables+=(-u "$name")
        fi
    done

    local attempt port
    for (( attempt = 1; attempt <= max_bind_attempts; attempt++ )); do
        port="$(random_port)"
        if port_in_use "$port"; then
            continue
        fi

        write_config "$dir" "$port" "$tls" "$auth" "$client_ca" "$token_realm" "$token_certs"
        : > "$log"
        # setsid puts the registry in its own session, so a Ctrl-C or hangup
        # meant for the caller's terminal does not stop it.
        setsid env "${unset_registry_variables[@]}" "$registry_binary" serve "$config" \
            >> "$log" 2>&1 < /dev/null &
        starting_pid=$!

        local deadline=$(( SECONDS + timeout ))
        local status="" port_taken=false
        while (( SECONDS <= deadline )) && kill -0 "$starting_pid" 2>/dev/null; do
            status="$(probe_status "$dir" "$port" "$tls" "$client_ca")"
            if [[ "$status" == 200 || ( -n "$auth$token_realm" && "$status" == 401 ) ]]; then
                if ! owns_listener "$starting_pid" "$port"; then
                    port_taken=true
                    break
                fi
                echo "$starting_pid" > "$dir/pid"
                echo "127.0.0.1:$port" > "$dir/address"
                trap - EXIT INT TERM
                echo "127.0.0.1:$port"
                return 0
            fi
            sleep 0.1
        done

        if [[ "$port_taken" == false ]] && kill -0 "$starting_pid" 2>/dev/null; then
            stop_starting_registry
            print_log_tail "$log"
            fail "docker-registry did not answer GET /v2/ on 127.0.0.1:$port within $timeout s" \
                "(last HTTP status: ${status:-none}). Check $log; set OCIBUILD_REGISTRY_START_TIMEOUT to wait longer."
        fi
        stop_starting_registry
        starting_pid=""

        # Another process may have taken the port between the check and the
        # bind, so try another port. Any other early exit is a real failure.
        if [[ "$port_taken" == true ]] || grep -q 'address already in use' "$log"; then
            echo "$script_name: port $port is taken by another process, trying another one" >&2
            continue
        fi
        print_log_tail "$log"
        fail "docker-registry exited during startup; see $log."
    done

    fail "found no free port in $max_bind_attempts attempts between $port_min and $port_max."
}

stop() {
    local dir="" clean=false
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --clean) clean=true ;;
            -*) usage >&2; fail "unknown option '$1' for stop." ;;
            *)
                [[ -z "$dir" ]] || { usage >&2; fail "stop takes one DIR, got '$dir' and '$1'."; }
                dir="$1"
                ;;
        esac
        shift
    done
    [[ -n "$dir" ]] || { usage >&2; fail "stop requires a DIR."; }
    dir="$(realpath -m -- "$dir")"

    if [[ -s "$dir/pid" ]]; then
        local pid
        pid="$(cat "$dir/pid")"
        if is_our_registry "$pid" "$dir/config.yml"; then
            kill "$pid"
            # The registry is not our child, so poll instead of using wait.
            local deadline=$(( SECONDS + 10 ))
            while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do
                sleep 0.1
            done
            if kill -0 "$pid" 2>/dev/null; then
                echo "$script_name: registry (pid $pid) did not exit within 10 s of SIGTERM, sending SIGKILL" >&2
                kill -KILL "$pid" 2>/dev/null || true
            fi
        else
            echo "$script_name: no registry of $dir is running (stale pid $pid); nothing to stop" >&2
        fi
        rm -f "$dir/pid"
    else
        echo "$script_name: $dir/pid not found; no registry to stop" >&2
    fi

    if [[ "$clean" == true ]]; then
        rm -rf -- "$dir"
    fi
}

command="${1:-}"
[[ $# -gt 0 ]] && shift
case "$command" in
    start) start "$@" ;;
    stop) stop "$@" ;;
    -h|--help) usage ;;
    *) usage >&2; exit 2 ;;
esac
