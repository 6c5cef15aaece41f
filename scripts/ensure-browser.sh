#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the end-to-end tests (never a browser download).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
echo "ensure-browser: installing Debian's chromium package"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
