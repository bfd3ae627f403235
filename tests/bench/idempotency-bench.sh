#!/usr/bin/env bash
# Idempotency benchmark for syncloopd (not part of ctest). See tests/bench/README.md.
#
#   tests/bench/idempotency-bench.sh [--syncloopd PATH] [--duration SECONDS] [--connections N]
#                                    [--threads N] [--bookings N] [--replay-keys N]
#                                    [--runs unique,replay,unique-relaxed] [--perf RUNS] [--keep]
#
# Runs three wrk loads, each against a syncloopd it starts itself (port 0, fresh temporary data
# directory, --demo --demo-bookings N) and stops afterwards:
#   (a) unique   every request a new Idempotency-Key and a distinct pending booking: real writes
#                (default --durability full: an fsync per group commit)
#   (b) replay   the same key+body pairs, executed once up front: every answer a replay
#   (c) unique-relaxed  as (a), server started with --durability relaxed (no fsync per commit)
# and prints a summary table. Exits non-zero when a run's answers are not what it measures
# (non-2xx, socket errors, writes in (b), replays in (a)/(c)).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

syncloopd="${SYNCLOOPD:-$repo/build/src/server/syncloopd}"
duration=10
connections=64
threads=2
bookings=60000
replay_keys=1000
perf_runs=""
keep=0
runs=unique,replay,unique-relaxed
original_command="$0 $*"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
    --syncloopd) syncloopd=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --bookings) bookings=$2; shift 2 ;;
    --replay-keys) replay_keys=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --perf) perf_runs=$2; shift 2 ;;
    --perf-replay) perf_runs=replay; shift ;; # the old spelling
    --keep) keep=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

die() { echo "idempotency-bench: $*" >&2; exit 1; }

[ -x "$syncloopd" ] || die "no syncloopd at $syncloopd (build it, or pass --syncloopd PATH)"
for tool in curl jq; do
    command -v "$tool" >/dev/null || die "$tool is required (apt-get install $tool)"
done
if ! command -v wrk >/dev/null; then
    echo "wrk is missing; installing the Debian package" >&2
    if [ "$(id -u)" -eq 0 ]; then apt-get install -y wrk >&2; else sudo apt-get install -y wrk >&2; fi
fi
if [ -n "$perf_runs" ]; then
    command -v perf >/dev/null || die "--perf needs perf (apt-get install linux-perf)"
fi

work=$(mktemp -d -t syncloop-bench.XXXXXX)
server_pid=""
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}
cleanup() {
    stop_server
    if [ "$keep" -eq 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server NAME [extra syncloopd args...]: sets server_pid, base_url and token (admin).
start_server() {
    local name=$1
    shift
    local dir="$work/$name"
    mkdir -p "$dir/data"
    : >"$dir/stdout" # exists before the background redirection creates it
    # shellcheck disable=SC2086 # SERVER_ARGS: extra flags for every server, e.g. "--event-loops 2"
    "$syncloopd" --port 0 --data-dir "$dir/data" --demo --demo-bookings "$bookings" ${SERVER_ARGS:-} "$@" \
        >"$dir/stdout" 2>"$dir/stderr" &
    server_pid=$!
    base_url=""
    for _ in $(seq 1 600); do
        base_url=$(sed -n 's|^syncloopd listening on \(http://[^ ]*\)$|\1|p' "$dir/stdout")
        [ -n "$base_url" ] && break
        kill -0 "$server_pid" 2>/dev/null || { cat "$dir/stderr" >&2; die "syncloopd exited during start-up"; }
        sleep 0.1
    done
    [ -n "$base_url" ] || die "syncloopd did not report its address within 60 s"
    token=$(curl -sf -X POST "$base_url/api/auth/login" -H 'Content-Type: application/json' \
        -d '{"email":"admin@example.com","password":"syncloop-demo"}' | jq -r .access_token)
    if [ -z "$token" ] || [ "$token" = null ]; then die "cannot log in as admin@example.com"; fi
}

# booking_ids STATUS [FIELDS]: "id" (or "id version") of the bookings in STATUS, one a line;
# the admin sees all of them.
booking_ids() {
    curl -sf "$base_url/api/bookings" -H "Authorization: Bearer $token" |
        jq -r --arg s "$1" --arg f "${2:-id}" \
            '.bookings[] | select(.status == $s) | if $f == "id" then .id else "\(.id) \(.version)" end'
}

# run_wrk NAME SCRIPT ARGS...: runs wrk, keeps its output in $work/NAME/wrk.txt, sets `result`.
run_wrk() {
    local name=$1 script=$2
    shift 2
    local cmd=(wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 10s --latency
        -s "$here/$script" "$base_url" -- "$@")
    printf '%q ' "${cmd[@]}" | sed "s|$token|\$TOKEN|g" >"$work/$name/command"
    echo "\$ $(cat "$work/$name/command")"
    # Anything else busy on the machine skews the figures: say how busy it was.
    load=$(cut -d' ' -f1 /proc/loadavg)
    echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    local ticks_before ticks_after
    ticks_before=$(server_ticks)
    "${cmd[@]}" | tee "$work/$name/wrk.txt"
    ticks_after=$(server_ticks)
    # CPU time of the server over the run, in % of one core (100 % = one core busy throughout).
    server_cpu=$(((ticks_after - ticks_before) * 100 / ($(getconf CLK_TCK) * duration)))
    echo "syncloopd CPU during the run: ${server_cpu}% of one core"
    result=$(grep '^RESULT ' "$work/$name/wrk.txt" | sed 's/^RESULT //')
    [ -n "$result" ] || die "wrk printed no RESULT line for $name"
}

server_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }

field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

problems=()
warnings=()
check() { # check NAME CONDITION-TEXT TEST...
    local name=$1 text=$2
    shift 2
    if "$@"; then echo "  ok   $name: $text"; else echo "  FAIL $name: $text"; problems+=("$name: $text"); fi
}

# A unique-key run, (a) or (c).
# perf of the server during a run named in --perf (it slows that run down).
perf_pid=""
perf_start() {
    perf_pid=""
    case ",$perf_runs," in *",$1,"*) ;; *) return 0 ;; esac
    # DWARF unwinding: Qt, SQLite and libc are built without frame pointers.
    perf record --call-graph dwarf,16384 -F 499 -o "$work/$1/perf.data" -p "$server_pid" \
        -- sleep "$duration" >"$work/$1/perf.log" 2>&1 &
    perf_pid=$!
}
perf_report() {
    [ -n "$perf_pid" ] || return 0
    wait "$perf_pid" || true
    local report=(perf report -i "$work/$1/perf.data" --sort symbol --stdio -g none)
    echo "perf, syncloopd during the $1 run, top symbols by self time:"
    "${report[@]}" --no-children 2>/dev/null | grep -E '^ +[0-9.]+%' | sed 's/  */ /g' |
        cut -c1-120 | head -25 | tee "$work/$1/perf-self.txt" || true
    echo "perf, the server's own functions by inclusive time:"
    "${report[@]}" --children 2>/dev/null | grep -E '^ +[0-9.]+%' | sed 's/  */ /g' |
        grep -E '(HttpFrontend|ApiService|IdempotencyGuard|IdempotencyStore|TransactionRunner|TokenService|SqlQuery|Router|RequestPath|RequestSizeGuard|WalCheckpointer|jwt_|sqlite3_step|sqlite3WalFrames|fdatasync|QHttpServer)' |
        grep -v '::operator()\|_M_invoke\|__invoke' | cut -c1-120 | head -30 | tee "$work/$1/perf-children.txt" || true
    perf_pid=""
}

unique_run() {
    local name=$1
    shift
    echo
    echo "=== $name: unique keys, distinct pending bookings, server args: --demo --demo-bookings $bookings $* ==="
    start_server "$name" "$@"
    booking_ids pending version >"$work/$name/pending"
    cut -d' ' -f1 "$work/$name/pending" | shuf --random-source=<(yes) >"$work/$name/ids"
    local pending
    pending=$(wc -l <"$work/$name/ids")
    echo "$pending pending bookings to confirm"
    perf_start "$name"
    run_wrk "$name" confirm-unique.lua "$work/$name/ids" "$token" "$threads" "$name-$$"
    perf_report "$name"
    local confirmed_after pending_after executed
    pending_after=$(booking_ids pending | wc -l)
    confirmed_after=$((pending - pending_after))
    executed=$(field "$result" executed)
    echo "checks:"
    check "$name" "every answer 2xx ($(field "$result" non2xx) non-2xx, $(field "$result" socket_errors) socket errors)" \
        test "$(field "$result" non2xx)" -eq 0 -a "$(field "$result" socket_errors)" -eq 0
    check "$name" "no replays among unique keys ($(field "$result" replayed))" test "$(field "$result" replayed)" -eq 0
    # A thread out of ids stops early while wrk still divides by the full duration: requests/s
    # is then a lower bound (marked >=). More bookings: --bookings.
    local rps_mark=""
    if [ "$(field "$result" exhausted)" -gt 0 ]; then
        rps_mark=">="
        echo "  WARN $name: a wrk thread used up its share of the $pending pending bookings before ${duration}s; requests/s is a lower bound (raise --bookings)"
        warnings+=("$name: ran out of pending bookings; requests/s is a lower bound")
    fi
    # Requests in flight when wrk stops may commit without wrk counting their answer.
    check "$name" "bookings confirmed on the server ($confirmed_after) = executed 200s ($executed) + at most $connections in flight" \
        test "$confirmed_after" -ge "$executed" -a "$confirmed_after" -le $((executed + connections))
    local sample version
    sample=$(head -1 "$work/$name/ids")
    version=$(awk -v id="$sample" '$1 == id { print $2 }' "$work/$name/pending")
    check "$name" "the first booking sent is confirmed, version $version -> $((version + 1))" \
        test "$(curl -sf "$base_url/api/bookings/$sample" -H "Authorization: Bearer $token" |
            jq -r '"\(.booking.status) \(.booking.version)"')" = "confirmed $((version + 1))"
    stop_server
    summary+=("$(printf '%-15s %10s %9s %9s %9s %9s %13s %6s %7s  %s' "$name" "$rps_mark$(field "$result" rps)" \
        "$(field "$result" p50_ms)" "$(field "$result" p99_ms)" "$(field "$result" requests)" \
        "$(field "$result" non2xx)" "$executed/$(field "$result" replayed)" "$load" "$server_cpu%" "$*")")
    commands+=("$name: $(cat "$work/$name/command")")
}

replay_run() {
    local name=replay
    echo
    echo "=== $name: $replay_keys key+body pairs executed once, then replayed; server args: --demo --demo-bookings $bookings ==="
    start_server "$name"
    booking_ids pending >"$work/$name/pending"
    head -n "$replay_keys" "$work/$name/pending" >"$work/$name/ids"
    [ "$(wc -l <"$work/$name/ids")" -eq "$replay_keys" ] || die "fewer than $replay_keys pending bookings"
    awk -v p="replay-$$-" '{ print p NR " " $1 }' "$work/$name/ids" >"$work/$name/pairs"
    # Execute every pair once, over a few keep-alive connections (curl --parallel).
    awk -v url="$base_url/api/bookings/confirm" -v t="$token" '{
        if (NR > 1) print "next"
        printf "url = \"%s\"\nheader = \"Authorization: Bearer %s\"\nheader = \"Content-Type: application/json\"\n", url, t
        printf "header = \"Idempotency-Key: %s\"\ndata = \"{\\\"bookingId\\\":\\\"%s\\\"}\"\noutput = \"/dev/null\"\nwrite-out = \"%%{http_code}\\n\"\n", $1, $2
    }' "$work/$name/pairs" >"$work/$name/precreate.curl"
    curl -s --parallel --parallel-max 8 -K "$work/$name/precreate.curl" 2>"$work/$name/precreate.log" |
        sort | uniq -c >"$work/$name/precreate.status"
    echo "pre-created: $(tr -s ' ' <"$work/$name/precreate.status" | tr '\n' ';')"
    [ "$(awk '$2 == 200 { print $1 }' "$work/$name/precreate.status")" = "$replay_keys" ] ||
        die "pre-creating the keys did not answer $replay_keys x 200"
    local confirmed_before
    confirmed_before=$(booking_ids confirmed | wc -l)
    perf_start "$name"
    run_wrk "$name" confirm-replay.lua "$work/$name/pairs" "$token"
    perf_report "$name"
    echo "checks:"
    check "$name" "every answer 2xx ($(field "$result" non2xx) non-2xx, $(field "$result" socket_errors) socket errors)" \
        test "$(field "$result" non2xx)" -eq 0 -a "$(field "$result" socket_errors)" -eq 0
    check "$name" "every 2xx a replay ($(field "$result" replayed) replayed, $(field "$result" executed) executed)" \
        test "$(field "$result" executed)" -eq 0 -a "$(field "$result" replayed)" -gt 0
    check "$name" "nothing written: confirmed bookings unchanged ($confirmed_before)" \
        test "$(booking_ids confirmed | wc -l)" -eq "$confirmed_before"
    local pair
    pair=$(head -1 "$work/$name/pairs")
    check "$name" "a sampled pair answers with Idempotent-Replayed: true" \
        sh -c "curl -si -X POST '$base_url/api/bookings/confirm' -H 'Authorization: Bearer $token' \
            -H 'Content-Type: application/json' -H 'Idempotency-Key: ${pair% *}' \
            -d '{\"bookingId\":\"${pair#* }\"}' | tr -d '\r' | grep -qi '^Idempotent-Replayed: true$'"
    stop_server
    summary+=("$(printf '%-15s %10s %9s %9s %9s %9s %13s %6s %7s  %s' "$name" "$(field "$result" rps)" \
        "$(field "$result" p50_ms)" "$(field "$result" p99_ms)" "$(field "$result" requests)" \
        "$(field "$result" non2xx)" "$(field "$result" executed)/$(field "$result" replayed)" "$load" "$server_cpu%" "")")
    commands+=("$name: $(cat "$work/$name/command")")
}

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | sort | uniq -c | sed 's/^ *//' | paste -sd';'), $(uname -sr)"
echo "syncloopd: $syncloopd ($("$syncloopd" --version 2>/dev/null | head -1))"
echo "wrk: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); $threads threads, $connections connections, ${duration}s per run"

summary=()
commands=()
for run in ${runs//,/ }; do
    case "$run" in
    unique) unique_run unique ;;
    replay) replay_run ;;
    unique-relaxed) unique_run unique-relaxed --durability relaxed ;;
    *) die "unknown run: $run (unique, replay, unique-relaxed)" ;;
    esac
done

echo
echo "=== summary ($(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)) ==="
printf '%-15s %10s %9s %9s %9s %9s %13s %6s %7s  %s\n' run "req/s" "p50 ms" "p99 ms" requests non-2xx "exec/replayed" "load1" "srv CPU" "server flags"
for line in "${summary[@]}"; do echo "$line"; done
echo
echo "command: $original_command"
for c in "${commands[@]}"; do echo "  $c"; done
if [ ${#warnings[@]} -gt 0 ]; then
    echo
    echo "warnings:"
    printf '  %s\n' "${warnings[@]}"
fi
if [ ${#problems[@]} -gt 0 ]; then
    echo
    echo "FAILED checks:"
    printf '  %s\n' "${problems[@]}"
    exit 1
fi
