#!/usr/bin/env bash
# The window's benchmark (issue 6). Not a test: it prints figures. Run from anywhere:
#   tests/bench/gui-bench.sh [WORKDIR] [TOTAL_MB] [FILES] [LINES_PER_SECOND]
# Builds the same ~300 MB node_modules-like corpus as build-bench.sh (bench_corpus) in the real
# window while 100,000 log lines a second are posted into its event queue, and prints the
# longest stall of the GUI thread's event loop and the frame intervals (max, p99, median).
# Under Xvfb when xvfb-run is installed (a real X window, drawn by llvmpipe), else on the
# offscreen platform; GUI_BENCH_PLATFORM=offscreen forces the latter.
# GUI_BENCH_DISK_PRESSURE=1: the same run under disk pressure (issue 20): the page cache is dropped
# (where this user may) and a writer writes and syncs 300 MB again and again in WORKDIR, from
# just before the build until the run ends; its rate is printed after the figures.
# An app's live log on the Apps page instead (issue 16: a real container on a Podman service
# of the bench's own, writing 10,000 lines a second; no build, no flood, a tiny corpus):
#   GUI_BENCH_ARGS="--app-log 10000 --no-build 20" tests/bench/gui-bench.sh /tmp/w-applog 1 100 0
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/slipway-gui-bench}
total_mb=${2:-300}
files=${3:-16000}
rate=${4:-100000}
build=${SLIPWAY_BUILD_DIR:-$top/build/default}
cmake --build "$build" --target gui-bench bench_corpus >/dev/null

# The corpus is made once per size and kept (it takes longer than a run); the build's cache and
# outputs are not, so every run builds everything.
# shellcheck source=tests/bench/common.sh
. "$top/tests/bench/common.sh"
repo=$work/repo
stamp="$total_mb MB, $files files"
if [ "$(cat "$work/corpus.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$work"
    mkdir -p "$work"
    "$build/tests/bench/bench_corpus" "$repo" "$total_mb" "$files" >&2
    node_spec "$repo" /app/index.js
    echo 'console.log("hi")' > "$repo/index.js"
    bench_repository "$repo" corpus
    echo "$stamp" > "$work/corpus.stamp"
fi
rm -rf "$work/data" "$work/config"

export XDG_CONFIG_HOME=$work/config
# GUI_BENCH_ARGS: more options for gui-bench (e.g. "--trace-stalls 8", "--no-build 20").
# shellcheck disable=SC2206
# GUI_BENCH_BIN: another gui-bench binary (e.g. a copy built before a change, for a comparison).
run=("${GUI_BENCH_BIN:-$build/tests/bench/gui-bench}" "$repo" --lines-per-second "$rate" --data-dir "$work/data" ${GUI_BENCH_ARGS:-})
writer=
if [ -n "${GUI_BENCH_DISK_PRESSURE:-}" ]; then
    sync
    echo 3 2>/dev/null >/proc/sys/vm/drop_caches || echo "gui-bench: cannot drop the page cache (not root): it stays warm" >&2
    (
        dd=
        trap 'kill $dd 2>/dev/null; rm -f "$work/pressure"; exit 0' TERM
        rounds=0
        start=$(date +%s)
        while true; do
            dd if=/dev/zero of="$work/pressure" bs=1M count=300 conv=fdatasync status=none &
            dd=$!
            wait "$dd" || exit 0
            rounds=$((rounds + 1))
            echo "disk pressure      $((rounds * 300)) MB written and synced in $(($(date +%s) - start)) s" >"$work/pressure.log"
        done
    ) &
    writer=$!
    # Not left writing when the run is interrupted.
    trap 'kill "$writer" 2>/dev/null; rm -f "$work/pressure"' EXIT
fi
status=0
if [ "${GUI_BENCH_PLATFORM:-}" != offscreen ] && command -v xvfb-run >/dev/null; then
    xvfb-run -a -s "-screen 0 1280x800x24" "${run[@]}" || status=$?
else
    QT_QPA_PLATFORM=offscreen "${run[@]}" || status=$?
fi
if [ -n "$writer" ]; then
    kill "$writer" 2>/dev/null
    wait "$writer" 2>/dev/null || true
    cat "$work/pressure.log" 2>/dev/null || echo "disk pressure      under 300 MB written"
    rm -f "$work/pressure" "$work/pressure.log"
fi
exit "$status"
