#!/usr/bin/env bash
# Installs what syncloop needs to build, run and test on Debian 12 (bookworm).
# Idempotent: installs only missing packages. Works as root or through sudo.
set -euo pipefail

packages=(
    # toolchain
    build-essential cmake ninja-build pkg-config ccache git
    # format and static checks (packaging/check-format.sh, check-tidy.sh): version 14, the one
    # .clang-format and .clang-tidy are written for (another major version formats differently)
    clang-format-14 clang-tidy-14
    # Qt 6.4 from Debian
    qt6-base-dev qt6-httpserver-dev qt6-websockets-dev qt6-tools-dev qt6-l10n-tools
    libqt6sql6-sqlite libqt6sql6-psql qtkeychain-qt6-dev
    # server crypto
    libjwt-dev libsodium-dev
    # tests: keychain over a private D-Bus session, fonts for rendered widgets, sqlite shell
    gnome-keyring libsecret-1-0 dbus dbus-x11 fonts-dejavu-core sqlite3 curl
    # end-to-end desktop tests (tests/e2e): a virtual display with a window manager, the
    # accessibility bus and the screen reader's Python bindings, screenshots
    xvfb xauth openbox x11-utils at-spi2-core python3-pyatspi imagemagick
    # benchmarks (tests/bench, not run by ctest)
    wrk jq
    # scale-out tests (ctest label postgres): a throwaway cluster (tests/postgres/pgcluster.sh
    # runs initdb/pg_ctl itself; no system service is used)
    postgresql-15 python3
    # and nginx in front of two instances (tests/support/nginxprocess.h starts its own)
    nginx
)

# Node.js >= 20 runs the realtime-js interop test; use the one installed if there is one.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: everything is installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null; then
    SUDO=(sudo)
else
    echo "install-deps: missing ${missing[*]}; run as root or install sudo" >&2
    exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# The packages' install scripts start no service (postgresql-15 and nginx would take ports 5432
# and 80, where a container may have no init at all): the tests start their own. This run only.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
    "${SUDO[@]}" chmod 755 "$policy"
    trap '"${SUDO[@]}" rm -f "$policy"' EXIT
fi
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
