#!/usr/bin/env bash
# Fails if any C++ file under src/ or tests/ differs from what .clang-format says.
# Usage: packaging/check-format.sh   (packaging/format-tree.sh fixes what it reports)
set -euo pipefail
cd "$(dirname "$0")/.."
. packaging/format-files.sh

# First the configuration alone: an option this clang-format does not know is an error of its
# own, not a file to reformat.
if ! "$CLANG_FORMAT" --style=file --assume-filename=src/x.cpp --dump-config </dev/null >/dev/null; then
    echo "check-format: $CLANG_FORMAT rejects .clang-format" >&2
    exit 2
fi

mapfile -d '' files < <(format_files)
# Deleted in the work tree but still in the index: nothing to check.
present=()
for f in "${files[@]}"; do [ -f "$f" ] && present+=("$f"); done

# In batches, in parallel, each batch writing its own file so that reports never interleave;
# one finding per file is enough to name it.
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
violation=': error: code should be clang-formatted'
printf '%s\0' "${present[@]}" | xargs -0 -r -n 40 -P "$(nproc)" sh -c '
    format=$0 violation=$1 log=$(mktemp -p "$2"); shift 2
    # A failure that names no file to reformat is clang-format failing: keep what it said.
    "$format" --style=file --dry-run --Werror --ferror-limit=1 "$@" 2>"$log" \
        || grep -q -e "$violation" "$log" || mv "$log" "$log.failed"
    ' "$CLANG_FORMAT" "$violation" "$out"
if compgen -G "$out/*.failed" >/dev/null; then
    cat "$out"/*.failed >&2
    echo "check-format: $CLANG_FORMAT failed" >&2
    exit 2
fi
mapfile -t bad < <(cat "$out"/* | sed -n "s/^\(.*\):[0-9]*:[0-9]*$violation.*/\\1/p" | sort -u)

if [ ${#bad[@]} -gt 0 ]; then
    printf '%s\n' "${bad[@]}" >&2
    echo "check-format: ${#bad[@]} of ${#present[@]} files are not formatted;" \
        "run packaging/format-tree.sh (or $CLANG_FORMAT -i FILE)" >&2
    exit 1
fi
echo "check-format: ${#present[@]} files formatted ($("$CLANG_FORMAT" --version))"
