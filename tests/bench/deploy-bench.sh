#!/usr/bin/env bash
# The deploy benchmark (issue 12): a whole deploy (build, send, start, healthy) of an app with a
# Node app's node_modules to a Docker Engine target over ssh, by slipway-cli beside `docker build`
# (BuildKit) + `docker push` + `ssh target docker pull && docker run`, cold and then after one
# app file changed, in one run. Not a test: it prints a table and the ratios. Run as root (the
# Docker Engines of the test harness need it), from anywhere:
#   tests/bench/deploy-bench.sh [WORKDIR] [ROUNDS]
# WORKDIR keeps the npm install between runs (the same one realtree-bench.sh uses). Needs the
# default preset built, npm, docker.io, docker-registry, openssh-server and busybox-static.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/slipway-realtree-bench}
build=${SLIPWAY_BUILD:-$top/build/default}
if ! log=$(cmake --build "$build" --target slipway-cli deploy-bench 2>&1); then
    echo "$log" >&2
    exit 1
fi
# shellcheck source=tests/bench/common.sh
. "$top/tests/bench/common.sh"
node_modules_tree "$work/npm"
exec "$build/tests/bench/deploy-bench" "$build/app/slipway-cli" "$work/npm/node_modules" "${2:-3}"
