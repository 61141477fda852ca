"""Tether as an Agent Client Protocol (ACP v1) agent: `tether acp`.

    cli.py            the `tether acp` command: stdio, logging
    agent.py          ACP methods (initialize, session/new|load|list|prompt|cancel) → engine
    convert.py        session events → ACP session/update (pure)
    updates.py        the ordered queue that sends those updates
    bridge.py         EditorBridge: fs/read_text_file, fs/write_text_file, permissions
    folders.py        opening a `cwd`: bridge, tools, manager, index (in session/workspaces.py)
    terminal_tool.py  run_command through terminal/* when the client offers it
    mcp_seam.py       ACP's mcpServers → tether.mcp (the MCP client)

The wire models and JSON-RPC connection are the official `agent-client-protocol` SDK's.
Never imports pygls: ACP sits beside the LSP layer, on the same engine.
"""
