#!/usr/bin/env bash
# Scale-out figures (issue 11): unique-key confirms/s and p99, replays/s and (with
# --realtime N) commit -> delivery latency to N realtime subscribers (rtswarm, through the
# same entry point, so nginx spreads them over the instances), against
#   sqlite    one syncloopd on SQLite (the default)
#   pg-1      one syncloopd on PostgreSQL, behind nginx
#   pg-2      two syncloopd on one PostgreSQL, behind nginx (round robin)
# on this machine, with a throwaway cluster (tests/postgres/pgcluster.sh) and an nginx of its
# own. Prints wrk's RESULT line per run. Not part of ctest: it needs a quiet machine.
#
#   tests/bench/scaleout-bench.sh [--duration S] [--connections N] [--bookings N] [--configs LIST]
#                                 [--realtime SUBSCRIBERS]   (needs: cmake --build build --target rtswarm)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
syncloopd=${SYNCLOOPD:-$root/build/src/server/syncloopd}
duration=10 connections=64 threads=2 bookings=60000 replay_keys=1000 configs="sqlite,pg-1,pg-2" subscribers=0
while [ $# -gt 0 ]; do
    case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --bookings) bookings=$2; shift 2 ;;
    --configs) configs=$2; shift 2 ;;
    --realtime) subscribers=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
die() { echo "scaleout-bench: $*" >&2; exit 1; }
for tool in wrk curl jq nginx; do command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || die "$tool is missing (packaging/install-deps.sh)"; done
[ -x "$syncloopd" ] || die "no $syncloopd; build it first"

work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true
    "$root/tests/postgres/pgcluster.sh" stop "$work/pg" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# start_server DIR [args...]: sets `url` (not in a subshell: the pid must reach `pids`).
start_server() {
    local dir=$1
    shift
    mkdir -p "$dir/data"
    : >"$dir/stdout"
    "$syncloopd" --port 0 --data-dir "$dir/data" --demo --demo-bookings "$bookings" "$@" >"$dir/stdout" 2>"$dir/stderr" &
    pids+=($!)
    for _ in $(seq 1 600); do
        url=$(sed -n 's|^syncloopd listening on \(http://[^ ]*\)$|\1|p' "$dir/stdout")
        [ -n "$url" ] && return
        sleep 0.1
    done
    cat "$dir/stderr" >&2
    die "syncloopd did not start"
}

start_nginx() { # ports...: echoes the URL
    local dir=$work/nginx port servers=""
    mkdir -p "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    for p in "$@"; do servers+="server 127.0.0.1:$p; "; done
    cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
error_log $dir/error.log warn;
pid $dir/nginx.pid;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $dir/body; proxy_temp_path $dir/proxy; fastcgi_temp_path $dir/fcgi;
    uwsgi_temp_path $dir/uwsgi; scgi_temp_path $dir/scgi;
    map \$http_upgrade \$connection_upgrade { default upgrade; '' ''; }
    upstream syncloop { $servers keepalive 64; }
    server {
        listen 127.0.0.1:$port;
        location / {
            proxy_pass http://syncloop; proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade; proxy_set_header Connection \$connection_upgrade;
        }
    }
}
CONF
    PATH=$PATH:/usr/sbin nginx -p "$dir" -c "$dir/nginx.conf" >/dev/null
    sleep 0.5
    echo "http://127.0.0.1:$port"
}

port_of() { echo "${1##*:}"; }

run() { # name base_url
    local name=$1 base=$2 token ids pairs
    token=$(curl -sf -X POST "$base/api/auth/login" -H 'Content-Type: application/json' \
        -d '{"email":"admin@example.com","password":"syncloop-demo"}' | jq -r .access_token)
    ids=$work/$name.ids
    pairs=$work/$name.pairs
    # The first $replay_keys pending bookings are kept for the replays, the next 2,000 for the
    # realtime run (it confirms 1,500), the rest for (a).
    curl -sf "$base/api/bookings" -H "Authorization: Bearer $token" | jq -r '.bookings[] | select(.status == "pending") | .id' |
        shuf --random-source=<(yes) >"$work/$name.pending"
    head -n "$replay_keys" "$work/$name.pending" | awk -v p="replay-$$-$name-" '{ print p NR " " $1 }' >"$pairs"
    tail -n +"$((replay_keys + 2001))" "$work/$name.pending" >"$ids"
    echo "== $name: unique-key confirms (load $(cut -d' ' -f1-3 /proc/loadavg))"
    wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 10s --latency -s "$here/confirm-unique.lua" "$base" -- \
        "$ids" "$token" "$threads" "$name-$$" | grep -E '^RESULT|Requests/sec|99%'
    while read -r key id; do
        curl -sf -o /dev/null -X POST "$base/api/bookings/confirm" -H "Authorization: Bearer $token" \
            -H 'Content-Type: application/json' -H "Idempotency-Key: $key" -d "{\"bookingId\":\"$id\"}"
    done <"$pairs"
    echo "== $name: replays"
    wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 10s --latency -s "$here/confirm-replay.lua" "$base" -- \
        "$pairs" "$token" | grep -E '^RESULT|Requests/sec|99%'
}

realtime() { # name base_url server_pid: 100 confirms/s for 15 s, latency to $subscribers subscribers
    [ "$subscribers" -gt 0 ] || return 0
    local rtswarm=$root/build/tests/bench/rtswarm
    [ -x "$rtswarm" ] || die "no $rtswarm: cmake --build build --target rtswarm"
    echo "== $1: realtime, $subscribers subscribers"
    (ulimit -n 65536 2>/dev/null || true
     node "$here/realtime-bench.cjs" --url "$2" --server-pid "$3" --subscribers "$subscribers" --rate 100 --seconds 15 \
        --audience admin --client rtswarm --rtswarm "$rtswarm") | grep -iE 'p99|latency|deliver|missing|RESULT|error' | head -12 || true
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(uname -r)"
IFS=, read -r -a wanted <<<"$configs"
for config in "${wanted[@]}"; do
    case "$config" in
    sqlite)
        start_server "$work/sqlite"
        run sqlite "$url"
        realtime sqlite "$url" "${pids[-1]}"
        for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
        pids=()
        ;;
    pg-1 | pg-2)
        "$root/tests/postgres/pgcluster.sh" start "$work/pg" >/dev/null
        cluster=$(cat "$work/pg/url")
        db="bench_$(date +%s%N)"
        psql -q "$cluster" -c "CREATE DATABASE $db"
        dburl="${cluster%/*}/$db"
        # One signing secret for all instances: a token from one is good on the other.
        (umask 077 && head -c 48 /dev/urandom | base64 >"$work/jwt-secret")
        start_server "$work/$config-a" --database "$dburl" --jwt-secret-file "$work/jwt-secret"
        a=$url
        ports=("$(port_of "$a")")
        if [ "$config" = pg-2 ]; then
            start_server "$work/$config-b" --database "$dburl" --jwt-secret-file "$work/jwt-secret"
            b=$url
            ports+=("$(port_of "$b")")
        fi
        lb=$(start_nginx "${ports[@]}")
        run "$config" "$lb"
        realtime "$config" "$lb" "${pids[0]}"
        kill "$(cat "$work/nginx/nginx.pid")"
        for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
        pids=()
        "$root/tests/postgres/pgcluster.sh" stop "$work/pg" >/dev/null
        ;;
    *) die "unknown config $config" ;;
    esac
done
