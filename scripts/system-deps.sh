#!/usr/bin/env bash
# Debian packages the tests use: Chromium for the browser tests, and real Dutch and English prose
# that nobody in this project wrote, for the benign-text check. Skipped where already present.
set -euo pipefail
packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
[ -d /usr/share/doc/debian-edu-doc-nl ] || packages+=(debian-edu-doc-nl)
[ -d /usr/share/doc/debian-edu-doc-en ] || packages+=(debian-edu-doc-en)
[ -d /usr/share/man/nl ] || packages+=(manpages-nl)
[ -d /usr/share/debian-reference ] || packages+=(debian-reference-en)
[ -d /usr/share/fonts/truetype/noto ] || packages+=(fonts-noto-color-emoji)
if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: please install: ${packages[*]} (tests that need them will be skipped)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
