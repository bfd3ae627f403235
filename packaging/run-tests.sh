#!/usr/bin/env bash
# Command (2): install what is missing, build, and run every test.
# Usage: packaging/run-tests.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

packaging/install-deps.sh

# Formatting first: it takes seconds and needs no build.
packaging/check-format.sh

preset=default
build=build
[ "${CI:-}" = "true" ] && preset=ci && build=build-ci
cmake --preset "$preset"
cmake --build --preset "$preset"

# clang-tidy on the files changed since $SYNCLOOP_TIDY_BASE (default HEAD~1), after the build:
# the sources include what moc and uic generate.
SYNCLOOP_TIDY_BUILD=$build packaging/check-tidy.sh

# The realtime interop test runs the official @supabase/realtime-js, pinned by package-lock.json.
(cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)

# Tests run headless: offscreen widgets, and a private D-Bus session with an unlocked
# gnome-keyring for the QtKeychain tests (CI has neither a display nor a session bus).
export QT_QPA_PLATFORM=offscreen
export XDG_RUNTIME_DIR="$(mktemp -d)"
chmod 700 "$XDG_RUNTIME_DIR"
export XDG_DATA_HOME="$(mktemp -d)"
trap 'rm -rf "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME"' EXIT

run_ctest() { # run_ctest PRESET [ctest arguments...]
    dbus-run-session -- sh -c '
        echo -n ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
        ctest --preset "$0" --output-on-failure "$@"
    ' "$@"
}
run_ctest "$preset" "$@"

# Then, in CI (or with SYNCLOOP_SANITIZE=1), the integration tests again under AddressSanitizer
# and UndefinedBehaviorSanitizer: preset sanitize, its own build of only what they need. Every
# process writes its reports to build-sanitize/sanitizer-logs, servers started by the tests
# included (a test may not show their stderr), so any report there fails the step.
if [ "${CI:-}" = "true" ] || [ "${SYNCLOOP_SANITIZE:-}" = "1" ]; then
    cmake --preset sanitize
    cmake --build --preset sanitize
    logs=build-sanitize/sanitizer-logs
    rm -f "$logs"/*
    status=0
    run_ctest sanitize || status=$?
    if compgen -G "$logs/*" >/dev/null; then
        echo "sanitizer reports:" >&2
        for f in "$logs"/*; do echo "== $f" >&2; cat "$f" >&2; done
        status=1
    fi
    exit "$status"
fi
