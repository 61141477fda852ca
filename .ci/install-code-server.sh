#!/usr/bin/env bash
# Installs code-server (VS Code in the browser) from the npm registry for the end-to-end
# tests of the VS Code client, without the downloads its own postinstall scripts attempt
# (they fetch from GitHub and fail on a closed network). Part of the project, so a fresh
# clone needs nothing beside it. Cached: a second run with the same version returns at once.
# Usage: install-code-server.sh [DIR]   (default: ~/.cache/tether-e2e/code-server)
# Afterwards: DIR/node_modules/.bin/code-server --auth none --bind-addr 127.0.0.1:PORT \
#   --user-data-dir D --extensions-dir E --disable-telemetry --disable-update-check WORKSPACE
# Needs node 20 + npm; the Debian packages below (headers for the native modules, ripgrep)
# are installed here if missing.
set -euo pipefail
# 4.100.3 is the newest release that runs on node 20 (4.101+ need node 22).
VERSION=${CODE_SERVER_VERSION:-4.100.3}
DIR=${1:-${TETHER_CODE_SERVER_DIR:-$HOME/.cache/tether-e2e/code-server}}
if [ -x "$DIR/node_modules/.bin/code-server" ] && [ -f "$DIR/.complete-$VERSION" ]; then
  echo "code-server $VERSION already in $DIR"; exit 0
fi
sudo_=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo_="sudo"; fi
need=()
for p in libkrb5-dev libxkbfile-dev libsecret-1-dev ripgrep build-essential python3; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  $sudo_ apt-get update -qq
  $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# A half-finished install (no stamp) is redone from scratch, not patched over.
mkdir -p "$DIR" && cd "$DIR"
rm -rf node_modules package.json package-lock.json .complete-*
export npm_config_unsafe_perm=true npm_config_yes=true
npm init -y >/dev/null
npm install --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$VERSION"
npm rebuild argon2
cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
# @vscode/ripgrep's postinstall would download rg from GitHub: use Debian's.
mkdir -p node_modules/@vscode/ripgrep/bin && cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm rebuild
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev --no-audit --no-fund --loglevel=error)
"$DIR/node_modules/.bin/code-server" --version | head -1 | grep -q "^$VERSION " \
  || { echo "install-code-server: $DIR does not run code-server $VERSION" >&2; exit 1; }
touch "$DIR/.complete-$VERSION"
echo "code-server $VERSION installed in $DIR"
