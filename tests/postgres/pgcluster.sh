#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests labelled `postgres`: initdb in a temporary
# directory, one postmaster on a free loopback port (its socket in the same directory), no
# system service. Trust authentication on 127.0.0.1 only, so no password exists anywhere.
#
#   pgcluster.sh start STATE_DIR   stops a cluster left there, starts a new one, writes
#                                  STATE_DIR/url (postgres://syncloop@127.0.0.1:PORT/postgres)
#   pgcluster.sh stop STATE_DIR    stops it and removes its files
#
# initdb refuses to run as root: as root, the cluster runs as the `postgres` user (Debian's
# postgresql package makes it), or a system user `syncloop-pg` made for the purpose.
set -euo pipefail

command=${1:-}
state=${2:-}
if [ -z "$command" ] || [ -z "$state" ]; then
    echo "usage: $0 start|stop STATE_DIR" >&2
    exit 2
fi

bindir=""
for dir in $(command -v pg_ctl >/dev/null && dirname "$(readlink -f "$(command -v pg_ctl)")") \
           /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then bindir=$dir; break; fi
done
if [ -z "$bindir" ]; then
    echo "pgcluster: initdb/pg_ctl not found; install postgresql-15 (packaging/install-deps.sh)" >&2
    exit 1
fi

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
    owner=postgres
    if ! id "$owner" >/dev/null 2>&1; then
        owner=syncloop-pg
        id "$owner" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
    fi
    as_owner=(runuser -u "$owner" --)
fi

stop() {
    [ -f "$state/cluster" ] || return 0
    local cluster
    cluster=$(cat "$state/cluster")
    if [ -d "$cluster/data" ]; then
        "${as_owner[@]}" "$bindir/pg_ctl" -D "$cluster/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$cluster"
    rm -f "$state/cluster" "$state/url"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case "$command" in
stop)
    stop
    ;;
start)
    mkdir -p "$state"
    stop
    cluster=$(mktemp -d /tmp/syncloop-pg.XXXXXX)
    echo "$cluster" >"$state/cluster"
    chmod 755 "$cluster"
    [ ${#as_owner[@]} -eq 0 ] || chown "$owner" "$cluster"
    "${as_owner[@]}" "$bindir/initdb" -D "$cluster/data" -U syncloop -A trust -E UTF8 \
        --locale=C --no-sync >"$cluster/initdb.log" 2>&1 \
        || { cat "$cluster/initdb.log" >&2; exit 1; }
    # Throwaway data: no fsync (the tests kill syncloopd, never the database); enough
    # connections for two test processes running at once, each with a few instances.
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        if "${as_owner[@]}" "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 30 \
            -o "-p $port -k $cluster -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300" \
            start >/dev/null; then
            echo "postgres://syncloop@127.0.0.1:$port/postgres" >"$state/url"
            echo "pgcluster: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($cluster)"
            exit 0
        fi
    done
    cat "$cluster/server.log" >&2
    exit 1
    ;;
*)
    echo "usage: $0 start|stop STATE_DIR" >&2
    exit 2
    ;;
esac
