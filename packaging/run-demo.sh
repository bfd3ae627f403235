#!/usr/bin/env bash
# Command (1): install what is missing, build, and run the demo on the embedded SQLite database.
set -euo pipefail
cd "$(dirname "$0")/.."

packaging/install-deps.sh
cmake --preset default
cmake --build --preset default

data_dir="${SYNCLOOP_DEMO_DIR:-$HOME/.local/share/syncloop/demo}"
mkdir -p "$data_dir"
port="${SYNCLOOP_PORT:-8080}"

cat <<EOT

syncloopd is starting on http://127.0.0.1:$port with demo data in $data_dir
Try it from another terminal:

  TOKEN=\$(curl -s -X POST http://127.0.0.1:$port/api/auth/login \\
      -H 'Content-Type: application/json' \\
      -d '{"email":"agent1@example.com","password":"syncloop-demo"}' | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')
  curl -s http://127.0.0.1:$port/api/bookings -H "Authorization: Bearer \$TOKEN"
  curl -s -X POST http://127.0.0.1:$port/api/bookings/confirm -H "Authorization: Bearer \$TOKEN" \\
      -H 'Content-Type: application/json' -H "Idempotency-Key: \$(cat /proc/sys/kernel/random/uuid)" \\
      -d '{"bookingId":"<an id from the list>"}'

SMS sent in the demo land in $data_dir/loopback-sms.jsonl. Stop with Ctrl+C.

EOT
exec build/src/server/syncloopd --listen "127.0.0.1:$port" --data-dir "$data_dir" --demo
