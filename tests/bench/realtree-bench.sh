#!/usr/bin/env bash
# Cold and warm builds of real trees, beside `umoci insert` of the same files (issue 12): the
# figures the default gzip level is chosen from. Not a test: it prints a table of one run. Run
# from anywhere:
#   tests/bench/realtree-bench.sh [WORKDIR]
# The trees: a Node app's node_modules, installed by npm from tests/bench/node-app/package.json
# (kept in WORKDIR/npm and reused), and this machine's Python (the standard library and
# dist-packages of Debian's python3), each as a git repository with a small app beside it.
# Needs the default preset built (./slipway.sh test builds it), npm, umoci and GNU time.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/slipway-realtree-bench}
build=${SLIPWAY_BUILD:-$top/build/default}
cli=$build/app/slipway-cli
if ! log=$(cmake --build "$build" --target slipway-cli 2>&1); then
    echo "$log" >&2
    exit 1
fi
# shellcheck source=tests/bench/common.sh
. "$top/tests/bench/common.sh"
unset SOURCE_DATE_EPOCH

node_modules_tree "$work/npm"

measure() { # measure NAME command...: wall, peak KB, user, system seconds in $work/NAME.time
    local name=$1; shift
    /usr/bin/time -f "%e %M %U %S" -o "$work/$name.time" "$@"
}
seconds() { cut -d' ' -f1 "$work/$1.time"; }
cpu() { awk '{ printf "%.1f", $3 + $4 }' "$work/$1.time"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }
blob_total() { grep -o '"size":[0-9]*' "$1" | awk -F: '{ total += $2 } END { print total }'; }

# tree NAME DEPS_DIR...: the directories under deps/ in one layer, an app of 50 files in another.
tree() {
    local name=$1; shift
    local dir=$work/$name repo=$work/$name/repo plain=$work/$name/plain
    rm -rf "$dir"
    mkdir -p "$repo/deps" "$repo/src" "$plain"
    for source in "$@"; do cp -a "$source" "$repo/deps/"; done
    find "$repo/deps" -name .git -prune -exec rm -rf {} +
    for i in $(seq 1 50); do printf 'export const part%d = %d;\n' "$i" "$i" > "$repo/src/part$i.js"; done
    cat > "$repo/slipway.toml" <<TOML
[image]
entrypoint = ["/usr/bin/node", "/app/src/part1.js"]
[[layers]]
name = "deps"
include = ["deps/**"]
dest = "/app"
[[layers]]
name = "app"
include = ["**"]
dest = "/app"
TOML
    bench_repository "$repo" "$name"
    git -C "$repo" archive HEAD | tar -x -C "$plain"
    local files bytes
    files=$(git -C "$repo" ls-files | wc -l)
    bytes=$(du -sb --exclude=.git "$repo" | cut -f1)

    tar -C "$plain" -cf - . > /dev/null # the same warm page cache for everyone
    umoci init --layout "$dir/umoci" > /dev/null
    umoci new --image "$dir/umoci:base" > /dev/null
    measure "$name-umoci" umoci insert --image "$dir/umoci:base" "$plain" /app
    local umoci_blob
    umoci_blob=$(find "$dir/umoci/blobs/sha256" -type f -printf '%s\n' | sort -n | tail -1)

    echo
    echo "$name: $files files, $(mb "$bytes") MB ($(date -u +%Y-%m-%d), $(nproc) cores)"
    echo "| what | seconds | vs umoci insert | CPU s | compressed MB | blob vs umoci |"
    echo "|---|---|---|---|---|---|"
    echo "| umoci insert | $(seconds "$name-umoci") | 1.00 | $(cpu "$name-umoci") | $(mb "$umoci_blob") | 1.000 |"
    local run args blob
    for run in gzip-1 gzip-2 gzip-3 gzip-4 gzip-5 gzip-6 zstd-3 none; do
        case $run in
        none) args=(--compression none) ;;
        *) args=(--compression "${run%-*}" --level "${run#*-}") ;;
        esac
        measure "$name-$run" "$cli" build "$repo" --data-dir "$dir/data-$run" --jobs 2 "${args[@]}" --json \
            > "$dir/$run.json"
        blob=$(blob_total "$dir/$run.json")
        echo "| slipway-cli build, cold, $run | $(seconds "$name-$run") |" \
            "$(ratio "$(seconds "$name-$run")" "$(seconds "$name-umoci")") | $(cpu "$name-$run") |" \
            "$(mb "$blob") | $(awk -v a="$blob" -v b="$umoci_blob" 'BEGIN { printf "%.3f", a / b }') |"
    done
    echo "// changed" >> "$repo/src/part7.js"
    git -C "$repo" add -A
    GIT_COMMITTER_DATE="@1700000100 +0000" git_commit "$repo" change
    measure "$name-warm" "$cli" build "$repo" --data-dir "$dir/data-gzip-6" --jobs 2 --level 6 --json \
        > "$dir/warm.json"
    echo "| slipway-cli build, a new commit changing one app file, $(grep -o '"cached":true' "$dir/warm.json" | wc -l)" \
        "of 2 layers cached | $(seconds "$name-warm") | $(ratio "$(seconds "$name-warm")" "$(seconds "$name-umoci")") |" \
        "$(cpu "$name-warm") | | |"
    echo "warm / cold gzip-6: $(ratio "$(seconds "$name-warm")" "$(seconds "$name-gzip-6")") (target <= 0.05)"
}

tree node_modules "$work/npm/node_modules"
python=(/usr/lib/python3/dist-packages)
for lib in /usr/lib/python3.[0-9]*; do [ -d "$lib" ] && python+=("$lib"); done
tree python "${python[@]}"
