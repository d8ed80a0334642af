#!/usr/bin/env bash
# Set up a fresh machine: a virtualenv (.venv) with livepost and its test tools, at the locked
# versions of constraints.txt. With --for-tests, also the Node packages of the local Bluesky
# network and of the facet-parity check (npm ci), Debian's chromium for the browser tests, and
# Debian's Noto fonts (and FriBiDi) for cards in every script.
# Idempotent: re-running only installs what is missing or not at the locked version.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Every package at the exact version the tests ran with (constraints.txt, see scripts/lock.sh).
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e '.[test]'

if [ "${1:-}" = "--for-tests" ]; then
  # Debian's Chromium for the report and web console browser tests (no browser download).
  if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "Installing Debian's chromium for the browser tests..."
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
      echo "Note: chromium is not installed; the browser tests will be skipped." >&2
    fi
  fi
  # Debian's Noto fonts for cards in every script (Arabic, Hebrew, Indic, Thai: fonts-noto-core,
  # 12 MB; Chinese, Japanese, Korean: fonts-noto-cjk, 57 MB; colour emoji: 10 MB) and FriBiDi,
  # which Pillow's bundled Raqm loads at run time for right-to-left text.
  FONT_PACKAGES="fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji libfribidi0"
  missing=""
  for package in $FONT_PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing="$missing $package"
    fi
  done
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "Installing Debian fonts for cards in every script:$missing..."
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        -o DPkg::Lock::Timeout=300 $missing >/dev/null
    else
      echo "Note:$missing not installed; cards leave out text in those scripts, and their tests" \
        "are skipped." >&2
    fi
  fi
  for dir in harness tests/parity; do
    if [ -f "$dir/package-lock.json" ] && [ ! -d "$dir/node_modules" ]; then
      echo "Installing Node packages in $dir (npm ci)..."
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  done
fi
