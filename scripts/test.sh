#!/usr/bin/env bash
# npm test: the whole suite. Unit tests run alone; e2e tests start their own private Redis and
# MariaDB (jest global setup), so nothing but Debian packages and Node is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-packages.sh
bash scripts/ensure-test-packages.sh
bash scripts/ensure-node-modules.sh
# Process-level tests (crash storm, scale-out) run the built gateway.
if [ ! -f dist/main.js ] || [ -n "$(find src -newer dist/main.js -name '*.ts' -print -quit)" ]; then
  echo "Building Tongban…"
  npx nest build
fi

report=$(mktemp)
status=0
npx jest --json --outputFile="$report" "$@" || status=$?
node -e '
  const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
' "$report" 2>/dev/null || true
rm -f "$report"
exit $status
