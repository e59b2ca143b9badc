#!/usr/bin/env bash
# Installs every Debian package Slipway's build, window and tests need.
# Idempotent: when everything is present it asks dpkg once and returns.
# Works as root or through sudo. Debian 12 (bookworm).
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkg-config git clang-format
  qt6-base-dev qt6-declarative-dev qt6-declarative-dev-tools qt6-tools-dev qt6-l10n-tools
  libgit2-dev libcurl4-openssl-dev libarchive-dev libdeflate-dev libzstd-dev libssl-dev
  libtomlplusplus-dev qtkeychain-qt6-dev zlib1g-dev
  # run time: QML modules, platform plugins, SQLite driver
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
  qml6-module-qtquick-templates qml6-module-qtquick-window qml6-module-qtqml-workerscript
  qml6-module-qtquick-dialogs qml6-module-qttest qml6-module-qtqml-models
  qt6-qpa-plugins qt6-wayland libqt6sql6-sqlite
  # the servers and independent readers the tests use
  docker-registry podman runc uidmap docker.io iproute2 openssh-server openssh-client skopeo umoci busybox-static
  haproxy
  apache2-utils openssl gnome-keyring dbus libsecret-tools xvfb xauth dunst
  # the package and its checks
  dpkg-dev help2man desktop-file-utils appstream
  # benchmark baselines
  pigz zstd time
)

# dpkg-query prints the status of the packages it knows and fails for the others.
installed=" $(dpkg-query -W -f='${Package}:${db:Status-Status} ' "${packages[@]}" 2>/dev/null || true) "
missing=()
for p in "${packages[@]}"; do
  [[ "$installed" == *" $p:installed "* ]] || missing+=("$p")
done

[ ${#missing[@]} -eq 0 ] && exit 0

echo "slipway: installing ${#missing[@]} missing Debian packages: ${missing[*]}" >&2
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
