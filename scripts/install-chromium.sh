#!/bin/sh
# Installs Debian's chromium for the headless browser tests when it is missing.
# playwright-core drives it through executablePath /usr/bin/chromium, so no
# browser download from Playwright's CDN is needed.
set -eu
if [ -x /usr/bin/chromium ]; then
	exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium
/usr/bin/chromium --version
