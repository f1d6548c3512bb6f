#!/usr/bin/env bash
# Makes sure the Debian packages that only the tests need are installed: Chromium, which the ops
# dashboard's e2e test drives headless through playwright-core. `npm start` never calls this.
# Quiet when everything is present; installs what is missing when run as root, otherwise prints the
# command to run and exits 1.
set -euo pipefail

missing=()
[[ -x ${TONGBAN_CHROMIUM:-/usr/bin/chromium} ]] || missing+=(chromium)

if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages for the tests: ${missing[*]}" >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "Installing missing system packages for the tests: ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
