#!/usr/bin/env bash
# Fail when the committed frontend/openapi.json or its generated types differ from what the
# current backend produces (fix: `npm run gen:api` in frontend/, then commit both files).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
bash "$root/scripts/gen-api.sh" "$fresh"
status=0
for file in openapi.json src/client/schema.d.ts; do
    if ! diff -u "$root/frontend/$file" "$fresh/$file" >"$fresh/diff.txt" 2>&1; then
        echo "openapi drift: frontend/$file is not what the backend generates now:" >&2
        head -n 60 "$fresh/diff.txt" >&2
        status=1
    fi
done
if [ "$status" -ne 0 ]; then
    echo "openapi drift: run 'npm run gen:api' in frontend/ and commit the result" >&2
else
    echo "openapi drift check: frontend/openapi.json and src/client/schema.d.ts match the backend"
fi
exit "$status"
