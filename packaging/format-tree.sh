#!/usr/bin/env bash
# Formats every C++ file under src/ and tests/ in place with .clang-format, the files
# packaging/check-format.sh checks. Usage: packaging/format-tree.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. packaging/format-files.sh

format_files | xargs -0 -r -n 20 -P "$(nproc)" "$CLANG_FORMAT" --style=file -i
echo "format-tree: done; review with git diff"
