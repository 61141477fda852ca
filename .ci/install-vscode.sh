#!/usr/bin/env bash
# Installs what the VS Code client's tests need, on a fresh machine: Debian chromium,
# code-server 4.100 (cached in ~/.cache/tether-e2e/code-server by the shared script),
# and the extension's npm dependencies (typescript, esbuild, vsce, playwright-core,
# without a browser download). Safe to run twice; the second run is quick.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/.." && pwd))"
shared="$root/../shared"
sudo_=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo_="sudo"; fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-vscode: node 20 and npm are required" >&2
  exit 1
fi

# apt first and alone: the code-server script may also call apt-get (one dpkg lock).
if [ ! -x /usr/bin/chromium ]; then
  $sudo_ apt-get update -qq
  $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

if [ -f "$shared/tools/install-code-server.sh" ]; then
  bash "$shared/tools/install-code-server.sh"
else
  echo "install-vscode: $shared/tools/install-code-server.sh not found; VS Code e2e tests will skip" >&2
fi

cd "$root/vscode-client"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
stamp=node_modules/.tether-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  echo "vscode-client: npm dependencies up to date"
else
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
