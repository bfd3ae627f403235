# Sourced by check-format.sh and format-tree.sh: the C++ files the tree's .clang-format
# covers, and the clang-format that reads it.
#
# Version 14 (Debian 12's): a different major version formats the same options differently,
# so the check and the formatter must be the same binary. CLANG_FORMAT overrides it.
CLANG_FORMAT=${CLANG_FORMAT:-clang-format-14}
if ! command -v "$CLANG_FORMAT" >/dev/null; then
    echo "$CLANG_FORMAT not found: run packaging/install-deps.sh" >&2
    exit 2
fi

# Our sources and tests: tracked files plus new ones not ignored, so build*/ and node_modules/
# (in .gitignore) never count; the fuzz corpus is data. Without git (a source tarball), find.
format_files() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard -- \
            'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h'
    else
        find src tests \( -name 'build*' -o -name node_modules -o -name corpus \) -prune \
            -o -type f \( -name '*.cpp' -o -name '*.h' \) -print0
    fi | grep -zv '^tests/fuzz/corpus/' | sort -zu
}
