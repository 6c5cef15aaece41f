#!/usr/bin/env bash
# Regenerate the UI's API contract from the backend: openapi.json, then the TypeScript types.
# Usage: scripts/gen-api.sh [OUT_DIR]   (default frontend/; the drift check passes a temp dir)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/frontend}
python=${PYTHON:-$root/.venv/bin/python}
generator=$root/frontend/node_modules/.bin/openapi-typescript
[ -x "$generator" ] || { echo "gen-api: run 'npm ci' in frontend/ first" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out/src/client"
# A scratch DATA_DIR and working directory: no local .env or data leaks into the document.
(cd "$work" && env -u DATABASE_URL -u REDIS_URL APP_ENV=development DATA_DIR="$work/data" \
    "$python" -m backend.cli openapi --output "$out/openapi.json")
"$generator" "$out/openapi.json" --output "$out/src/client/schema.d.ts" --silent
