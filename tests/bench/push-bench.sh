#!/usr/bin/env bash
# The push benchmark (issue 4). Not a test: it prints figures, measured in one run beside the
# baseline (skopeo copy of the same OCI layout), as ratios. Run from anywhere:
#   tests/bench/push-bench.sh [WORKDIR] [CORPUS_MB] [RANDOM_MB]
# SLIPWAY_BUILD picks the build directory (default build/default); only slipway-cli and
# bench_corpus are built. Needs docker-registry, skopeo and GNU time (Debian packages).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/slipway-push-bench}
corpus_mb=${2:-160}
random_mb=${3:-96}
build=${SLIPWAY_BUILD:-$top/build/default}
cli=$build/app/slipway-cli
corpus=$build/tests/bench/bench_corpus
if ! log=$(cmake --build "$build" --target slipway-cli bench_corpus 2>&1); then
    echo "$log" >&2
    exit 1
fi

rm -rf "$work"
mkdir -p "$work"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

# --- the image: the build benchmark's corpus (compressible) plus incompressible assets ------
# shellcheck source=tests/bench/common.sh
. "$top/tests/bench/common.sh"
repo=$work/repo
"$corpus" "$repo" "$corpus_mb" 8000 >&2
mkdir -p "$repo/assets" "$repo/src"
for i in $(seq 1 4); do
    head -c $((random_mb * 1024 * 1024 / 4)) /dev/urandom > "$repo/assets/blob$i.bin"
done
for i in $(seq 1 20); do printf 'export const part%d = %d;\n' "$i" "$i" > "$repo/src/part$i.js"; done
node_spec "$repo" /app/src/part1.js '[[layers]]
name = "assets1"
include = ["assets/blob1.bin", "assets/blob2.bin"]
dest = "/app"
[[layers]]
name = "assets2"
include = ["assets/blob3.bin", "assets/blob4.bin"]
dest = "/app"
'
bench_repository "$repo" corpus
export SOURCE_DATE_EPOCH=1700000000
"$cli" build "$repo" --data-dir "$work/data" --jobs 2 --level 1 --oci-layout "$work/layout:latest" >/dev/null
image_bytes=$(find "$work/layout/blobs" -type f -printf '%s\n' | awk '{ t += $1 } END { print t }')
layers=$(find "$work/layout/blobs" -type f | wc -l)

# --- registries: a fresh one per fresh push ---------------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_registry() { # start_registry NAME -> sets $port (not in a subshell, so the trap sees the pid)
    local name=$1
    port=$(free_port)
    mkdir -p "$work/$name"
    cat > "$work/$name/config.yml" <<YAML
version: 0.1
log: { level: error, accesslog: { disabled: true } }
storage:
  filesystem: { rootdirectory: $work/$name/storage }
http:
  addr: 127.0.0.1:$port
YAML
    docker-registry serve "$work/$name/config.yml" > "$work/$name/log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do
        curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
        sleep 0.1
    done
}

measure() { # measure NAME command...
    local name=$1; shift
    /usr/bin/time -f "%e %M %U %S" -o "$work/$name.time" "$@" > "$work/$name.out"
}
seconds() { cut -d' ' -f1 "$work/$1.time"; }
cpu() { awk '{ printf "%.1f", $3 + $4 }' "$work/$1.time"; }
peak_mb() { awk '{ printf "%.0f", $2 / 1024 }' "$work/$1.time"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

sync
start_registry reg-slipway
slipway_port=$port
measure slipway "$cli" push --json --oci-layout "$work/layout:latest" "127.0.0.1:$slipway_port/bench/app:v1"
uploaded=$(grep -o '"action":"uploaded"' "$work/slipway.out" | wc -l)

start_registry reg-skopeo
skopeo_port=$port
measure skopeo skopeo copy -q --dest-tls-verify=false "oci:$work/layout:latest" "docker://127.0.0.1:$skopeo_port/bench/app:v1"

# Everything exists: a few runs, the median.
for i in $(seq 1 5); do
    measure "noop$i" "$cli" push --json --oci-layout "$work/layout:latest" "127.0.0.1:$slipway_port/bench/app:v1"
    seconds "noop$i"
done | median > "$work/noop.median"
skipped=$(grep -o '"action":"skipped"' "$work/noop1.out" | wc -l)
for i in $(seq 1 3); do
    measure "skopeo_noop$i" skopeo copy -q --dest-tls-verify=false "oci:$work/layout:latest" \
        "docker://127.0.0.1:$skopeo_port/bench/app:v1"
    seconds "skopeo_noop$i"
done | median > "$work/skopeo_noop.median"

noop=$(cat "$work/noop.median")
cat <<REPORT

Push benchmark, $(nproc) cores, $(date -u +%Y-%m-%d): $(mb "$image_bytes") MB image ($layers files: manifest, config, layers), to docker-registry on loopback
| what | seconds | vs skopeo copy | CPU s | peak MB |
|---|---|---|---|---|
| skopeo copy oci: -> docker://, fresh registry | $(seconds skopeo) | 1.00 | $(cpu skopeo) | $(peak_mb skopeo) |
| slipway-cli push, fresh registry ($uploaded uploaded) | $(seconds slipway) | $(ratio "$(seconds slipway)" "$(seconds skopeo)") | $(cpu slipway) | $(peak_mb slipway) |
| slipway-cli push, everything exists ($skipped skipped, median of 5) | $noop | | $(cpu noop1) | $(peak_mb noop1) |
| skopeo copy, everything exists (median of 3) | $(cat "$work/skopeo_noop.median") | | | |

fresh push slipway / skopeo: $(ratio "$(seconds slipway)" "$(seconds skopeo)") (target <= 1.00); no-op push: $noop s (target < 0.2)
REPORT
