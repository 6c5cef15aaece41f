#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the end-to-end tests (never a browser download).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
echo "ensure-browser: installing Debian's chromium package"
bash "$(dirname "$0")/apt-install.sh" chromium
/usr/bin/chromium --version
