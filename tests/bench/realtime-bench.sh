#!/usr/bin/env bash
# Realtime fan-out benchmark (issue: realtime). Starts syncloopd itself, then runs the Node
# subscriber swarm (a separate process) for each subscriber count.
#   tests/bench/realtime-bench.sh [path/to/syncloopd] [subscriber counts...]
# Defaults: build/src/server/syncloopd, 1000 and 5000 subscribers, 100 confirms/s for 20 s.
# AUDIENCE=admin (default): every subscriber sees every change; AUDIENCE=agents: subscribers
# alternate between the two demo agents and see the changes of their own rows.
set -euo pipefail
cd "$(dirname "$0")/../.."
server="${1:-build/src/server/syncloopd}"
shift || true
counts=("${@:-1000 5000}")
read -r -a counts <<< "${counts[*]}"
rate="${RATE:-100}"
seconds="${SECONDS_PER_RUN:-20}"

[ -d tests/interop/node_modules/ws ] || (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/{print $2}') GiB"
for n in "${counts[@]}"; do
    data="$(mktemp -d)"
    "$server" --port 0 --data-dir "$data" --demo --demo-bookings $((rate * seconds * 2 + 100)) \
        > "$data/stdout" 2> "$data/stderr" &
    pid=$!
    for _ in $(seq 100); do grep -q listening "$data/stdout" 2>/dev/null && break; sleep 0.1; done
    url="$(sed 's/.*listening on //' "$data/stdout")"
    echo "== $n subscribers, $rate confirms/s for $seconds s (server $url, pid $pid)"
    node tests/bench/realtime-bench.cjs --url "$url" --server-pid "$pid" --subscribers "$n" \
        --rate "$rate" --seconds "$seconds" --audience "${AUDIENCE:-admin}"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$data"
done
