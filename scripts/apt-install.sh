#!/usr/bin/env bash
# Install Debian packages for the build: waits for another apt run to let go of its lock, and first
# finishes a dpkg run that an earlier, killed install left half done (apt refuses to start until then).
set -euo pipefail
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
lock_wait=(-o DPkg::Lock::Timeout=600)
if [ -n "$($sudo dpkg --audit 2>/dev/null)" ]; then
    echo "apt-install: finishing an interrupted dpkg run"
    DEBIAN_FRONTEND=noninteractive $sudo dpkg --configure -a
fi
$sudo apt-get "${lock_wait[@]}" update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get "${lock_wait[@]}" install -y -qq "$@" >/dev/null
