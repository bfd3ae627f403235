#!/usr/bin/env bash
# End-to-end tests of the real syncloop-desk, driven from outside through AT-SPI as a screen
# reader sees it. Each run gets its own X display (Xvfb), its own D-Bus session, an unlocked
# gnome-keyring, the AT-SPI bus and a fresh HOME, so runs never share a keychain or settings.
#
# Usage: tests/e2e/run-desk-e2e.sh BUILD_DIR SCENARIO...     (scenario names: desk/scenarios.py)
#        tests/e2e/run-desk-e2e.sh BUILD_DIR --shell CMD...  (the same environment, any command)
# Environment:
#   SYNCLOOP_E2E_DISPLAY=1    use the current $DISPLAY instead of Xvfb, to watch the test
#   SYNCLOOP_E2E_SLOW=SECONDS pause after each step (with SYNCLOOP_E2E_DISPLAY, to follow it)
#   SYNCLOOP_E2E_KEEP=1       keep the temporary directory (logs, HOME, server data)
set -euo pipefail

if [ "${1:-}" = "--in-session" ]; then
    # Second stage, inside the private D-Bus session: keychain, accessibility bus, the test.
    shift
    echo -n e2e | gnome-keyring-daemon --unlock --components=secrets >"$E2E_WORK/keyring.env" 2>"$E2E_WORK/keyring.log"
    # The accessibility bus; the registry daemon is started on it by D-Bus activation.
    /usr/libexec/at-spi-bus-launcher --launch-immediately >"$E2E_WORK/at-spi.log" 2>&1 &
    for _ in $(seq 100); do
        dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
            org.freedesktop.DBus.NameHasOwner string:org.a11y.Bus 2>/dev/null | grep -q true && break
        sleep 0.05
    done
    if [ "${1:-}" = "--shell" ]; then
        shift
        exec "$@"
    fi
    exec /usr/bin/python3 "$E2E_HERE/desk/scenarios.py" "$@"
fi

[ $# -ge 2 ] || { echo "usage: $0 BUILD_DIR SCENARIO... | --shell CMD..." >&2; exit 2; }
E2E_BUILD=$(cd "$1" && pwd)
shift
if [ $# -gt 1 ] && [ "$1" != "--shell" ]; then
    # Several scenarios: each in its own environment, so none inherits another's keychain,
    # settings or display.
    passed=0 failed=0
    for scenario in "$@"; do
        if "$0" "$E2E_BUILD" "$scenario"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
    done
    echo "desktop e2e: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi
E2E_HERE=$(cd "$(dirname "$0")" && pwd)
E2E_WORK=$(mktemp -d /tmp/syncloop-e2e.XXXXXX)
export E2E_BUILD E2E_HERE E2E_WORK
xvfb=""
wm=""
a11y_saved=""
cleanup() {
    if [ -n "${SYNCLOOP_E2E_DISPLAY:-}" ]; then
        # Our accessibility bus wrote its address on the real display's root window: put the
        # desktop's own back, so apps started later find the user's screen reader again.
        if [[ "$a11y_saved" == *'= "'* ]]; then
            value=${a11y_saved#*= \"}
            xprop -root -f AT_SPI_BUS 8s -set AT_SPI_BUS "${value%\"}" 2>/dev/null || true
        else
            xprop -root -remove AT_SPI_BUS 2>/dev/null || true
        fi
    fi
    [ -n "$wm" ] && kill "$wm" 2>/dev/null || true
    [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null || true
    if [ -n "${SYNCLOOP_E2E_KEEP:-}" ]; then
        echo "e2e: kept $E2E_WORK" >&2
    else
        rm -rf "$E2E_WORK"
    fi
}
trap cleanup EXIT

# A fresh user: settings, keyring files and the offline queue all live under here.
export HOME="$E2E_WORK/home"
export XDG_CONFIG_HOME="$HOME/.config" XDG_DATA_HOME="$HOME/.local/share" XDG_CACHE_HOME="$HOME/.cache"
export XDG_RUNTIME_DIR="$E2E_WORK/run"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$E2E_WORK" "$XDG_RUNTIME_DIR"
# ctest runs everything offscreen on the CI's session bus: the app needs a real display and
# this run's own buses.
unset QT_QPA_PLATFORM DBUS_SESSION_BUS_ADDRESS AT_SPI_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK WAYLAND_DISPLAY
export QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 NO_AT_BRIDGE=0 GTK_A11Y=atspi PYTHONDONTWRITEBYTECODE=1
export QT_LOGGING_RULES="qt.accessibility.atspi.warning=false"
# Card texts hold dates in the locale's format; one locale everywhere.
export LC_ALL=C.UTF-8 LANG=C.UTF-8
unset LANGUAGE

if [ -n "${SYNCLOOP_E2E_DISPLAY:-}" ]; then
    [ -n "${DISPLAY:-}" ] || { echo "e2e: SYNCLOOP_E2E_DISPLAY is set but DISPLAY is not" >&2; exit 2; }
    a11y_saved=$(xprop -root AT_SPI_BUS 2>/dev/null || true)
else
    command -v Xvfb >/dev/null || { echo "e2e: Xvfb is missing (packaging/install-deps.sh installs it)" >&2; exit 1; }
    # -displayfd picks a free display number, so parallel runs never collide.
    exec 3>"$E2E_WORK/display"
    Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp -noreset >"$E2E_WORK/xvfb.log" 2>&1 &
    xvfb=$!
    exec 3>&-
    for _ in $(seq 100); do [ -s "$E2E_WORK/display" ] && break; sleep 0.05; done
    [ -s "$E2E_WORK/display" ] || { echo "e2e: Xvfb did not start" >&2; cat "$E2E_WORK/xvfb.log" >&2; exit 1; }
    export DISPLAY=":$(head -n1 "$E2E_WORK/display")"
    # A window manager, as every desktop has: it gives the focus to each new window (the
    # keyboard shortcuts need an active window) and returns it when a dialog closes.
    openbox --sm-disable >"$E2E_WORK/openbox.log" 2>&1 &
    wm=$!
    for _ in $(seq 100); do
        xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q "window id" && break
        sleep 0.05
    done
fi

dbus-run-session -- bash "$0" --in-session "$@"
