#!/usr/bin/env bash
# Installs what a fresh machine of this kind lacks: npm packages (from the lockfile). Java, Maven and
# MariaDB are ensured by scripts/infra.sh; Chromium by the browser tests' setup.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if ! command -v node >/dev/null; then
  echo "ensure-deps: Node.js >= 20.19 is required" >&2
  exit 1
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ensure-deps: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
