#!/usr/bin/env bash
# The two commands of the README:
#   ./slipway.sh run          install what is missing, build, open the console
#   ./slipway.sh test [ARGS]  install what is missing, build, run every test (ARGS go to ctest)
#   ./slipway.sh package      install what is missing, build, make the .deb (build/<preset>/package/)
#   ./slipway.sh screenshots  install what is missing, build, shoot every page light and dark into docs/screenshots/
# SLIPWAY_PRESET picks another CMake preset (debug, asan).
set -euo pipefail
cd "$(dirname "$0")"

usage() {
    echo "usage: ./slipway.sh run | test [ctest arguments] | package | screenshots" >&2
    exit 2
}
[ $# -ge 1 ] || usage
action=$1
shift
case "$action" in run|test|package|screenshots) ;; *) usage ;; esac

bash packaging/install-deps.sh
preset=${SLIPWAY_PRESET:-default}
[ -f "build/$preset/build.ninja" ] || cmake --preset "$preset"
cmake --build --preset "$preset"

if [ "$action" = test ]; then
    if [ "$(id -u)" -ne 0 ]; then
        # The tests labelled "root" start Docker Engine, deploy to rootful Podman or mount a
        # file system; a normal user runs all the others.
        echo "slipway.sh: not root: leaving out the tests labelled 'root' ($(ctest --preset "$preset" -N -L root | sed -n 's/^Total Tests: //p') of them; run as root for all)" >&2
        exec ctest --preset "$preset" -LE root "$@"
    fi
    exec ctest --preset "$preset" "$@"
fi
if [ "$action" = screenshots ]; then
    SLIPWAY_SCREENSHOTS="$PWD/docs/screenshots" exec ctest --preset "$preset" -R '^tst_window$' --output-on-failure
fi
if [ "$action" = package ]; then
    cd "build/$preset"
    exec cpack -B package
fi

app="build/$preset/app/slipway"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "slipway.sh: no display found; running the window inside Xvfb (xvfb-run)" >&2
    exec xvfb-run -a "$app" "$@"
fi
exec "$app" "$@"
