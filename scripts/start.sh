#!/usr/bin/env bash
# npm start: everything a fresh machine needs, then the gateway on embedded defaults (private Redis
# and MariaDB under .tongban/, the example config in config/).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TONGBAN_DATABASE_URL:-}" ] || [ -z "${TONGBAN_REDIS_URL:-}" ]; then
  bash scripts/ensure-system-packages.sh
fi
bash scripts/ensure-node-modules.sh
if [ ! -f dist/main.js ] || [ -n "$(find src -newer dist/main.js -name '*.ts' -print -quit)" ]; then
  echo "Building Tongban…"
  npx nest build
fi
exec node dist/main.js "$@"
