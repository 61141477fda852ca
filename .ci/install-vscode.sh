#!/usr/bin/env bash
# Installs what the VS Code client's tests need, on a fresh machine, from the project's own
# files: Debian's chromium (pinned below, as far as apt allows), code-server 4.100 from the
# npm registry (.ci/install-code-server.sh, cached in ~/.cache/tether-e2e/code-server), and
# the extension's npm dependencies (typescript, esbuild, vsce, playwright-core, without a
# browser download). Safe to run twice; the second run is quick.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
sudo_=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo_="sudo"; fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-vscode: node 20 and npm are required" >&2
  exit 1
fi

# Chromium from Debian bookworm. Debian keeps only the newest security build of chromium in
# its archive, so the exact version is installed when apt still has it and otherwise the
# newest bookworm build of at least CHROMIUM_MIN_MAJOR (older ones are withdrawn).
CHROMIUM_VERSION=${CHROMIUM_VERSION:-156.0.8078.114-1~deb12u1}
CHROMIUM_MIN_MAJOR=${CHROMIUM_MIN_MAJOR:-150}
installed="$(dpkg-query -W -f='${Version}' chromium 2>/dev/null || true)"
if [ "${installed%%.*}" -lt "$CHROMIUM_MIN_MAJOR" ] 2>/dev/null || [ -z "$installed" ]; then
  # apt first and alone: the code-server script may also call apt-get (one dpkg lock).
  $sudo_ apt-get update -qq
  if apt-cache madison chromium | grep -qF " $CHROMIUM_VERSION "; then
    want="chromium=$CHROMIUM_VERSION"
  else
    want="chromium"
    echo "install-vscode: chromium $CHROMIUM_VERSION is no longer in the archive; installing" \
      "$(apt-cache policy chromium | sed -n 's/ *Candidate: //p')" >&2
  fi
  $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$want" >/dev/null
  installed="$(dpkg-query -W -f='${Version}' chromium)"
  if [ "${installed%%.*}" -lt "$CHROMIUM_MIN_MAJOR" ]; then
    echo "install-vscode: chromium $installed is older than $CHROMIUM_MIN_MAJOR" >&2
    exit 1
  fi
fi
echo "chromium $installed"

bash "$here/install-code-server.sh"

cd "$root/vscode-client"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
stamp=node_modules/.tether-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  echo "vscode-client: npm dependencies up to date"
else
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
