#!/usr/bin/env bash
# The .deb that ./slipway.sh package makes: built by cpack from this build tree, unpacked with
# dpkg -x into a scratch root, and run from there; its desktop file and AppStream metadata
# validated; the icon, the sample and the man pages where a desktop and man look for them.
# Usage: tst_package.sh BUILD_DIR
set -euo pipefail
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "tst_package: $*" >&2; exit 1; }

(cd "$build" && cpack -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; fail "cpack failed"; }
debs=("$work"/out/*.deb)
[ -f "${debs[0]}" ] || fail "cpack made no .deb"
deb=${debs[0]}
echo "tst_package: $(basename "$deb"), $(du -h "$deb" | cut -f1)"
info=$(dpkg-deb --info "$deb")
grep -q '^ Package: slipway$' <<<"$info" || fail "package name: $info"
grep -q '^ Depends:.*libqt6core6' <<<"$info" || fail "no shared-library dependencies: $info"
grep -q '^ Depends:.*qml6-module-qtquick-controls' <<<"$info" || fail "no QML module dependencies: $info"

root=$work/root
dpkg -x "$deb" "$root"
usr=$root/usr
"$usr/bin/slipway-cli" --version | grep -q '^slipway-cli ' || fail "slipway-cli --version"
"$usr/bin/slipway-cli" --help | grep -q 'logs' || fail "slipway-cli --help"
# The window loads its QML, fails on any QML warning, and quits; its data in the scratch root.
SLIPWAY_HOME=$work/home QT_QPA_PLATFORM=offscreen "$usr/bin/slipway" --self-test || fail "slipway --self-test"

desktop-file-validate "$usr/share/applications/io.slipway.Slipway.desktop" || fail "desktop-file-validate"
appstreamcli validate --no-net "$usr/share/metainfo/io.slipway.Slipway.metainfo.xml" || fail "appstreamcli validate"
[ -f "$usr/share/icons/hicolor/scalable/apps/io.slipway.Slipway.svg" ] || fail "no scalable icon"
for size in 16 24 32 48 64 128 256; do
    [ -f "$usr/share/icons/hicolor/${size}x${size}/apps/io.slipway.Slipway.png" ] || fail "no ${size}px icon"
done
[ -f "$usr/share/slipway/sample/slipway.toml" ] || fail "no sample under share/slipway"
man -l "$usr/share/man/man1/slipway-cli.1.gz" 2>/dev/null | grep -q 'deploy' || fail "slipway-cli(1)"
man -l "$usr/share/man/man1/slipway-cli-deploy.1.gz" 2>/dev/null | grep -q -- '--image' || fail "slipway-cli-deploy(1)"
echo "tst_package: passed"
