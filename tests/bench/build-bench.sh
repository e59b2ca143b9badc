#!/usr/bin/env bash
# The build engine's benchmark (issue: build engine). Not a test: it prints figures, measured in
# one run beside the baselines, as ratios. Run from anywhere:
#   tests/bench/build-bench.sh [WORKDIR] [TOTAL_MB] [FILES]
# Needs the default preset built (./slipway.sh test builds it) and the Debian tools the install
# script brings (pigz, umoci, GNU time).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/slipway-bench}
total_mb=${2:-320}
files=${3:-16000}
cli=$top/build/default/app/slipway-cli
corpus=$top/build/default/tests/bench/bench_corpus
cmake --build --preset default --target slipway-cli bench_corpus >/dev/null

rm -rf "$work"
mkdir -p "$work"
# shellcheck source=tests/bench/common.sh
. "$top/tests/bench/common.sh"

# --- the corpus: a node_modules-like tree plus a small app, as a git repository -------------
repo=$work/repo
"$corpus" "$repo" "$total_mb" "$files" >&2
mkdir -p "$repo/src"
for i in $(seq 1 50); do printf 'export const part%d = %d;\n' "$i" "$i" > "$repo/src/part$i.js"; done
node_spec "$repo" /app/src/part1.js
bench_repository "$repo" corpus
count=$(git -C "$repo" ls-files | wc -l)
bytes=$(du -sb --exclude=.git "$repo" | cut -f1)
# The baselines get the same tree as a plain directory (no .git), from a warm page cache.
plain=$work/plain
mkdir -p "$plain"
git -C "$repo" archive HEAD | tar -x -C "$plain"
tar -C "$plain" -cf - . > /dev/null

measure() { # measure NAME command... -> "seconds peak_kb" in $work/NAME.time
    local name=$1; shift
    /usr/bin/time -f "%e %M %U %S" -o "$work/$name.time" "$@"
}
seconds() { cut -d' ' -f1 "$work/$1.time"; }
peak_mb() { awk '{ printf "%.0f", $2 / 1024 }' "$work/$1.time"; }
cpu() { awk '{ printf "%.1f", $3 + $4 }' "$work/$1.time"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }

measure gzip sh -c "tar -C '$plain' -cf - . | gzip -6 > '$work/tar.gz'"
measure pigz sh -c "tar -C '$plain' -cf - . | pigz -p2 -6 > '$work/tar.pigz.gz'"

umoci init --layout "$work/umoci" >/dev/null
umoci new --image "$work/umoci:base" >/dev/null
measure umoci umoci insert --image "$work/umoci:base" "$plain" /app
umoci_blob=$(find "$work/umoci/blobs/sha256" -type f -printf '%s\n' | sort -n | tail -1)

# No SOURCE_DATE_EPOCH: a layer's files get a fixed mtime anyway, so the new commit below leaves
# the dependencies' layer cached.
unset SOURCE_DATE_EPOCH
measure cold "$cli" build "$repo" --data-dir "$work/data" --jobs 2 --json > "$work/cold.json"
blob_total() { grep -o '"size":[0-9]*' "$1" | awk -F: '{ total += $2 } END { print total }'; }
slipway_blob=$(blob_total "$work/cold.json")

echo "// changed" >> "$repo/src/part7.js"
git -C "$repo" add -A
GIT_COMMITTER_DATE="@1700000100 +0000" git_commit "$repo" change
measure warm "$cli" build "$repo" --data-dir "$work/data" --jobs 2 --json > "$work/warm.json"
warm_cached=$(grep -o '"cached":true' "$work/warm.json" | wc -l)

measure cold_l1 "$cli" build "$repo" --data-dir "$work/data-l1" --jobs 2 --level 1 --json > "$work/l1.json"
l1_blob=$(blob_total "$work/l1.json")
measure cold_l4 "$cli" build "$repo" --data-dir "$work/data-l4" --jobs 2 --level 4 --json > "$work/l4.json"
l4_blob=$(blob_total "$work/l4.json")

zstd_flags=(--compression zstd --level 3)
measure cold_zstd "$cli" build "$repo" --data-dir "$work/data-zstd" --jobs 2 "${zstd_flags[@]}" --json > "$work/zstd.json"
zstd_blob=$(blob_total "$work/zstd.json")

# --- many small layers ------------------------------------------------------------------------
small=$work/small
mkdir -p "$small"
{
    echo '[image]'
    for i in $(seq -w 0 1999); do
        mkdir -p "$small/d$i"
        printf 'layer %s\n' "$i" > "$small/d$i/file.txt"
        printf '[[layers]]\nname = "l%s"\ninclude = ["d%s/**"]\n' "$i" "$i"
    done
} > "$small/slipway.toml.tmp"
sed '1d' "$small/slipway.toml.tmp" > "$small/slipway.toml"
rm "$small/slipway.toml.tmp"
git -C "$small" init -q -b main
git -C "$small" add -A
git_commit "$small" layers
measure small "$cli" build "$small" --data-dir "$work/data-small" --jobs 2 --json > /dev/null
measure small_warm "$cli" build "$small" --data-dir "$work/data-small" --jobs 2 --json > /dev/null

# --- cancellation: Ctrl+C in the middle of a cold build ---------------------------------------
"$cli" build "$repo" --data-dir "$work/data-cancel" --jobs 2 > /dev/null 2>&1 &
pid=$!
sleep 2
start=$(date +%s%N)
kill -INT $pid
wait $pid && status=0 || status=$?
cancel_ms=$(( ($(date +%s%N) - start) / 1000000 ))
left=$(find "$work/data-cancel/cache/blobs" -path '*ingest*' -type f 2>/dev/null | wc -l)

cold=$(seconds cold)
cat <<REPORT

Build benchmark, $(nproc) cores, $(date -u +%Y-%m-%d): $count files, $(mb "$bytes") MB
| what | seconds | vs umoci insert | CPU s | compressed MB | peak MB |
|---|---|---|---|---|---|
| umoci insert | $(seconds umoci) | 1.00 | $(cpu umoci) | $(mb "$umoci_blob") | $(peak_mb umoci) |
| tar \| gzip -6 | $(seconds gzip) | $(ratio "$(seconds gzip)" "$(seconds umoci)") | $(cpu gzip) | $(mb "$(stat -c %s "$work/tar.gz")") | |
| tar \| pigz -p2 -6 | $(seconds pigz) | $(ratio "$(seconds pigz)" "$(seconds umoci)") | $(cpu pigz) | $(mb "$(stat -c %s "$work/tar.pigz.gz")") | |
| slipway-cli build, cold, gzip -6 (default) | $cold | $(ratio "$cold" "$(seconds umoci)") | $(cpu cold) | $(mb "$slipway_blob") | $(peak_mb cold) |
| slipway-cli build, cold, gzip -4 | $(seconds cold_l4) | $(ratio "$(seconds cold_l4)" "$(seconds umoci)") | $(cpu cold_l4) | $(mb "$l4_blob") | $(peak_mb cold_l4) |
| slipway-cli build, cold, gzip -1 | $(seconds cold_l1) | $(ratio "$(seconds cold_l1)" "$(seconds umoci)") | $(cpu cold_l1) | $(mb "$l1_blob") | $(peak_mb cold_l1) |
| slipway-cli build, cold, zstd -3 | $(seconds cold_zstd) | $(ratio "$(seconds cold_zstd)" "$(seconds umoci)") | $(cpu cold_zstd) | $(mb "$zstd_blob") | $(peak_mb cold_zstd) |
| slipway-cli build, warm, a new commit changing one app file ($warm_cached of 2 layers cached) | $(seconds warm) | $(ratio "$(seconds warm)" "$(seconds umoci)") | $(cpu warm) | | $(peak_mb warm) |

slipway cold / umoci insert: $(ratio "$cold" "$(seconds umoci)") (target <= 0.45); blob slipway / umoci: $(ratio "$slipway_blob" "$umoci_blob") (target <= 1.00)
warm / cold: $(ratio "$(seconds warm)" "$cold") (target <= 0.05); peak memory, cold: $(peak_mb cold) MB (target < 100)
2,000 small layers: cold $(seconds small) s = $(awk -v s="$(seconds small)" 'BEGIN { printf "%.0f", 2000 / s }') layers/s (target >= 2,000), all cached $(seconds small_warm) s
Ctrl+C during a cold build: exited $cancel_ms ms after the signal, status $status, $left ingest files left
REPORT
