#!/usr/bin/env bash
# Realtime fan-out benchmark (issue: realtime). Starts syncloopd itself, then realtime-bench.cjs,
# which runs the subscriber swarm (a separate process) for each subscriber count.
#   tests/bench/realtime-bench.sh [path/to/syncloopd] [subscriber counts...]
# Defaults: build/src/server/syncloopd, 1000 and 5000 subscribers, 100 confirms/s for 20 s.
# AUDIENCE=admin (default): every subscriber sees every change; AUDIENCE=agents: subscribers
# alternate between the two demo agents and see the changes of their own rows.
# CLIENT=rtswarm (default): the subscribers are rtswarm (tests/bench/rtswarm.cpp), taken from
# RTSWARM or from the build directory the server comes from (BUILD/tests/bench/rtswarm, built
# there with cmake when missing); CLIENT=node: the subscribers run inside the Node process.
set -euo pipefail
cd "$(dirname "$0")/../.."
server="${1:-build/src/server/syncloopd}"
shift || true
counts=("${@:-1000 5000}")
read -r -a counts <<< "${counts[*]}"
rate="${RATE:-100}"
seconds="${SECONDS_PER_RUN:-20}"
client="${CLIENT:-rtswarm}"

if [ "$client" = rtswarm ]; then
    # build/src/server/syncloopd -> build/tests/bench/rtswarm
    builddir="$(cd "$(dirname "$server")/../.." && pwd)"
    rtswarm="${RTSWARM:-$builddir/tests/bench/rtswarm}"
    if [ ! -x "$rtswarm" ]; then
        [ -f "$builddir/CMakeCache.txt" ] || { echo "no $rtswarm and no CMake build in $builddir: set RTSWARM" >&2; exit 1; }
        cmake --build "$builddir" --target rtswarm
    fi
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/{print $2}') GiB"
for n in "${counts[@]}"; do
    data="$(mktemp -d)"
    # shellcheck disable=SC2086 # SERVER_ARGS is a list of flags
    "$server" --port 0 --data-dir "$data" --demo --demo-bookings $((rate * seconds * 2 + 100)) ${SERVER_ARGS:-} \
        > "$data/stdout" 2> "$data/stderr" &
    pid=$!
    for _ in $(seq 100); do grep -q listening "$data/stdout" 2>/dev/null && break; sleep 0.1; done
    url="$(sed 's/.*listening on //' "$data/stdout")"
    echo "== $n subscribers ($client), $rate confirms/s for $seconds s (server $url${SERVER_ARGS:+ $SERVER_ARGS}, pid $pid; load1 $(cut -d' ' -f1 /proc/loadavg))"
    status=0
    node tests/bench/realtime-bench.cjs --url "$url" --server-pid "$pid" --subscribers "$n" \
        --rate "$rate" --seconds "$seconds" --audience "${AUDIENCE:-admin}" \
        --client "$client" ${rtswarm:+--rtswarm "$rtswarm"} || status=$?
    if kill "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null || true
    else
        wait "$pid" && code=0 || code=$?
        echo "!! syncloopd exited during the run (status $code$( [ "$code" -gt 128 ] && echo ", signal $((code - 128))")); its log, kept in $data:" >&2
        tail -n 20 "$data/stderr" >&2
        exit 1
    fi
    rm -rf "$data"
    [ "$status" -eq 0 ] || exit "$status"
done
