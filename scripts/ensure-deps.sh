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
# --browser: the browser tests drive Debian's Chromium through playwright-core (a test tool's own browser
# download cannot reach its host from this network), so `npm test` installs the package when it is missing.
if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null; then
  echo "ensure-deps: installing Debian's chromium for the browser tests" >&2
  if [ "$(id -u)" = 0 ]; then sudo_cmd=(); else sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >&2 \
    || { "${sudo_cmd[@]}" apt-get update >&2 && "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >&2; }
fi
