#!/usr/bin/env bash
# Installs the ACP test client's one dependency, the official ACP TypeScript SDK, pinned
# in tests/acp/package-lock.json (tests/acp drives `tether acp` with it). Safe to run
# twice: with the lock unchanged the second run does nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/.." && pwd))"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-acp-client: node 20 and npm are required" >&2
  exit 1
fi
cd "$root/tests/acp"
stamp=node_modules/.tether-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  echo "tests/acp: npm dependencies up to date"
else
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
