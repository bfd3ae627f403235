#!/usr/bin/env bash
# Command (1): install what is missing, build, and run the demo: syncloopd on the embedded
# SQLite database, and the desktop app signed in against it.
set -euo pipefail
cd "$(dirname "$0")/.."

# SYNCLOOP_BUILD_DIR: an already configured tree (the end-to-end test passes its own).
build_dir="${SYNCLOOP_BUILD_DIR:-build}"
packaging/install-deps.sh
[ -n "${SYNCLOOP_BUILD_DIR:-}" ] || [ -f build/build.ninja ] || cmake --preset default
cmake --build "$build_dir" # Ninja re-runs CMake itself when a CMakeLists.txt changed

data_dir="${SYNCLOOP_DEMO_DIR:-$HOME/.local/share/syncloop/demo}"
port="${SYNCLOOP_PORT:-8080}"
url="http://127.0.0.1:$port"
mkdir -p "$data_dir"

"$build_dir"/src/server/syncloopd --listen "127.0.0.1:$port" --data-dir "$data_dir" --demo > "$data_dir/syncloopd.out" 2> "$data_dir/syncloopd.log" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "listening" "$data_dir/syncloopd.out" 2>/dev/null && break; sleep 0.1; done
grep -q "listening" "$data_dir/syncloopd.out" || { cat "$data_dir/syncloopd.log" >&2; exit 1; }

cat <<EOT

syncloopd runs on $url (demo data in $data_dir; log: $data_dir/syncloopd.log).
Sign in as agent1@example.com, agent2@example.com or admin@example.com, password syncloop-demo.

From a terminal (the same core, no GUI):
  echo syncloop-demo | $build_dir/src/ctl/syncloopctl --server $url --email agent1@example.com --password-stdin --no-keychain bookings list
  $build_dir/src/ctl/syncloopctl --server $url login agent1@example.com      # keeps the session in the keychain
  $build_dir/src/ctl/syncloopctl --server $url watch                         # realtime changes as JSON lines
Or with curl:
  TOKEN=\$(curl -s -X POST $url/api/auth/login -H 'Content-Type: application/json' \\
      -d '{"email":"agent1@example.com","password":"syncloop-demo"}' | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')
  curl -s $url/api/bookings -H "Authorization: Bearer \$TOKEN"

SMS sent in the demo land in $data_dir/loopback-sms.jsonl.
EOT

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "Opening syncloop-desk; close its window to stop the demo."
    "$build_dir"/src/app/syncloop-desk --server "$url"
else
    echo "No display: syncloop-desk needs one (or run it under xvfb-run). The server keeps running; Ctrl+C stops it."
    wait "$server"
fi
