#!/usr/bin/env bash
# `npm test`: install what is missing, type-check, lint, unit tests, then bring up a test Kafka
# broker and test schemas (scripts/infra.sh --profile test), run the integration tests against the
# real services, and stop what it started. Ends with one "N passed, N failed" line.
set -euo pipefail
# No Nx daemon: it would outlive the run, and CI must leave nothing running.
export NX_DAEMON=false
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
reports="$root/.cache/test-reports"
rm -rf "$reports" && mkdir -p "$reports"

summary() {
  node -e '
    const fs = require("fs");
    let passed = 0, failed = 0;
    for (const f of process.argv.slice(1)) {
      if (!fs.existsSync(f)) continue;
      const r = JSON.parse(fs.readFileSync(f, "utf8"));
      passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
    }
    console.log(`${passed} passed, ${failed} failed`);
  ' "$reports/unit.json" "$reports/integration.json"
}

bash scripts/ensure-deps.sh --browser
echo "== build" >&2
node scripts/build.mjs
echo "== typecheck" >&2
npx tsc -p tsconfig.json --noEmit
echo "== lint" >&2
# @nx/enforce-module-boundaries reads the cached project graph and silently skips itself when there
# is none (a fresh clone): compute it first so the boundaries are really checked.
npx nx show projects > /dev/null
npx eslint --max-warnings 0 apps libs
echo "== unit tests" >&2
status=0
npx jest --selectProjects unit --json --outputFile="$reports/unit.json" "$@" || status=$?
if [ "$status" -eq 0 ]; then
  echo "== integration tests (real Kafka broker, MariaDB, service processes)" >&2
  bash scripts/infra.sh up --profile test
  trap 'bash scripts/infra.sh down --profile test' EXIT
  npx jest --selectProjects integration --runInBand --json --outputFile="$reports/integration.json" "$@" || status=$?
fi
summary
exit "$status"
