#!/usr/bin/env bash
# Runs clang-tidy (the checks in .clang-tidy) on the C++ files changed since BASE; any finding
# fails. Needs a configured *and built* tree: the compile commands come from the build, and the
# sources include what moc and uic generate there.
#
# Usage: packaging/check-tidy.sh [BASE]
#   BASE       defaults to $SYNCLOOP_TIDY_BASE, else HEAD~1. Files changed between BASE (its
#              merge base with HEAD: a branch name works) and the work tree are checked, commits
#              and uncommitted edits, with the files including a changed header. When BASE is not
#              in the history (a shallow clone), or .clang-tidy or this script changed, all are.
#   --all      every file.
# Environment: SYNCLOOP_TIDY_BUILD  build directory (default build), CLANG_TIDY (clang-tidy-14).
set -euo pipefail
cd "$(dirname "$0")/.."

CLANG_TIDY=${CLANG_TIDY:-clang-tidy-14}
build=${SYNCLOOP_TIDY_BUILD:-build}
base=${1:-${SYNCLOOP_TIDY_BASE:-HEAD~1}}

if ! command -v "$CLANG_TIDY" >/dev/null; then
    echo "check-tidy: $CLANG_TIDY not found: run packaging/install-deps.sh" >&2
    exit 2
fi
if [ ! -f "$build/compile_commands.json" ]; then
    echo "check-tidy: no $build/compile_commands.json: configure and build first" \
        "(cmake --preset default && cmake --build --preset default)" >&2
    exit 2
fi

# The files clang-tidy can check: ours (tracked, or new and not ignored) and compiled in this
# build. Files moc/uic generate live in the build directory and are never ours; sources of
# targets this preset does not build (the fuzz targets) have no compile command.
compiled=$(python3 -c '
import json, os, sys
for entry in json.load(open(sys.argv[1])):
    print(os.path.relpath(os.path.join(entry["directory"], entry["file"])))
' "$build/compile_commands.json" | sort -u)
ours=$(git ls-files --cached --others --exclude-standard -- 'src/*.cpp' 'tests/*.cpp' | sort -u)
checkable=$(comm -12 <(echo "$compiled") <(echo "$ours"))

everything() {
    echo "$checkable"
}

includers() { # includers HEADER...: our files that include one of them, directly or not
    local sources headers names found
    sources=$(git ls-files --cached --others --exclude-standard -- \
        'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h')
    headers=$(printf '%s\n' "$@")
    found=""
    while [ -n "$headers" ]; do
        names=$(xargs -n 1 basename <<<"$headers" | sed 's/\./\\./g' | paste -sd '|')
        # Included as "name.h" or "dir/name.h"; a header's includers that are headers in turn
        # bring their own includers on the next round.
        headers=$(grep -lE "#include \"([^\"]*/)?($names)\"" $sources | sort -u \
            | comm -23 - <(echo "$found") | grep '\.h$' || true)
        found=$( (echo "$found"; grep -lE "#include \"([^\"]*/)?($names)\"" $sources) \
            | sed '/^$/d' | sort -u)
    done
    echo "$found"
}

changed() { # changed BASE: the checkable files a change since BASE can affect
    local paths
    paths=$(git diff --name-only --diff-filter=ACMR "$1" -- src tests; \
        git ls-files --others --exclude-standard -- src tests)
    {
        grep '\.cpp$' <<<"$paths" || true
        # A header's findings show in the files that include it, and a changed declaration
        # can make a finding in a caller (a parameter now a const reference, say).
        mapfile -t headers < <(grep '\.h$' <<<"$paths" || true)
        [ ${#headers[@]} -eq 0 ] || includers "${headers[@]}"
    } | sort -u | comm -12 - <(echo "$checkable")
}

if [ "$base" = "--all" ]; then
    files=$(everything)
    scope="files: all"
elif ! fork=$(git merge-base "$base" HEAD 2>/dev/null); then
    files=$(everything)
    scope="files: all ($base is not in this clone's history)"
elif ! git diff --quiet "$fork" -- .clang-tidy packaging/check-tidy.sh; then
    files=$(everything)
    scope="files: all (.clang-tidy or this script changed since $base)"
else
    files=$(changed "$fork")
    scope="files changed since $base"
    # Changed sources this build does not compile (the fuzz targets' need the fuzz preset).
    skipped=$(git diff --name-only --diff-filter=ACMR "$fork" -- 'src/*.cpp' 'tests/*.cpp' \
        | comm -23 - <(echo "$checkable"))
    [ -z "$skipped" ] || echo "check-tidy: not in $build's compile commands, not checked:" $skipped
fi

if [ -z "$files" ]; then
    echo "check-tidy: nothing to check ($scope)"
    exit 0
fi
count=$(wc -l <<<"$files")
echo "check-tidy: $count $scope, $(nproc) at a time"

# One clang-tidy per file, in parallel, each writing its own report so that reports never
# interleave. -Wno-error: compiler warnings are the compiler's business (the build has -Werror);
# clang-tidy reports only the checks in .clang-tidy.
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$SECONDS
tr '\n' '\0' <<<"$files" | xargs -0 -r -n 1 -P "$(nproc)" sh -c '
    tidy=$0 build=$1 out=$2 file=$3
    "$tidy" -p "$build" --quiet --extra-arg=-Wno-error --extra-arg=-Wno-unknown-warning-option \
        "$file" >"$out/$(echo "$file" | tr / _).log" 2>&1 \
        || echo "$file" >>"$out/failed"
    ' "$CLANG_TIDY" "$build" "$out"

if [ -f "$out/failed" ]; then
    diagnostic='^[^ ].*:[0-9]+:[0-9]+: (warning|error): '
    findings=$(cat "$out"/*.log | grep -E "$diagnostic" | sort -u | wc -l)
    if [ "$findings" -eq 0 ]; then
        # clang-tidy failed without a diagnostic (no compile command, a crash): say so whole.
        while read -r f; do cat "$out/$(echo "$f" | tr / _).log"; done <"$out/failed" >&2
        echo "check-tidy: $CLANG_TIDY failed on $(wc -l <"$out/failed") files" >&2
        exit 2
    fi
    # A header's finding is reported once per file including it: show each once.
    cat "$out"/*.log | awk -v diagnostic="$diagnostic" '
        $0 ~ diagnostic { show = !seen[$0]++ }
        /^[0-9]+ (warnings?|errors?) (generated|treated as errors?)/ { next }
        show' >&2
    echo "check-tidy: $findings findings in $count files checked ($((SECONDS - start)) s)." \
        "Fix them; .clang-tidy says why each check is on and why some are off." >&2
    exit 1
fi
echo "check-tidy: no findings in $count files ($((SECONDS - start)) s)"
