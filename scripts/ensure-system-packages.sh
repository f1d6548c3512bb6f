#!/usr/bin/env bash
# Makes sure the Debian packages behind the embedded services and the SFTP adapter are installed.
# Quiet when everything is present; installs what is missing when run as root, otherwise prints the
# command to run and exits 1.
set -euo pipefail

# True if the command is on PATH or one of the given paths is executable. Debian keeps mariadbd in
# /usr/sbin, which a non-root PATH usually lacks.
have() {
  local name=$1 path
  shift
  command -v "$name" >/dev/null 2>&1 && return 0
  for path in "$@"; do
    [[ -x $path ]] && return 0
  done
  return 1
}

missing=()
have redis-server /usr/bin/redis-server || missing+=(redis-server)
if ! have mariadbd /usr/sbin/mariadbd /usr/local/sbin/mariadbd || ! have mariadb-install-db /usr/bin/mariadb-install-db; then
  missing+=(mariadb-server)
fi
[[ -x /usr/lib/openssh/sftp-server ]] || missing+=(openssh-sftp-server)
have ssh-keygen /usr/bin/ssh-keygen || missing+=(openssh-client)

if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "Installing missing system packages: ${missing[*]}" >&2
# Tongban runs its own private redis-server and mariadbd, so keep the packages from starting the
# system services (a policy-rc.d exiting 101 tells invoke-rc.d not to), unless one is already set.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
