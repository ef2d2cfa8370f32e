#!/usr/bin/env bash
# `npm start`: install what is missing, bring up Kafka and MySQL, run the three services, create a
# demo organisation and print the SCIM base URL and a token. Ctrl-C stops everything it started.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/ensure-deps.sh
node scripts/build.mjs
bash scripts/infra.sh up --profile dev
trap 'trap - EXIT INT TERM; bash scripts/infra.sh down --profile dev' EXIT INT TERM
node dist/libs/shared/devstack/src/start.main.js
