#!/usr/bin/env bash
# Installs the real MCP servers the tests run against (tests/mcp/package-lock.json), with npm ci.
set -euo pipefail
cd "$(dirname "$0")/../tests/mcp"
npm ci --no-audit --no-fund --loglevel=error
