"""The language server: the only package that imports pygls / lsprotocol.

It adapts the session engine to the editor and holds no agent logic of its own.

    cli.py        `tether serve [--tcp HOST:PORT | --ws HOST:PORT]`, logging off stdout
    app.py        create_server(): the server with every handler registered
    server.py     TetherServer: capabilities, settings pulled from the editor, events out
    lifecycle.py  initialize / initialized / shutdown, folders, configuration, index builds
    documents.py  text sync into the overlay
    index_feeder.py  the index kept fresh from buffers, disk and the agent's own edits
    handlers.py   the custom `tether/*` requests: parse, one engine call, map
    bridge.py     LspEditorBridge: live buffers, versioned workspace/applyEdit, permissions
    folders.py    opening a folder: LspEditorBridge + SessionManager + WorkspaceIndex
                  (the collection is session/workspaces.py, shared with ACP)
    wire.py       params → pydantic models at the edge; errors.py: errors → JSON-RPC codes

Cancelling `tether/session/prompt` with `$/cancelRequest` cancels the turn; the request
then answers normally with `status: "cancelled"` (not a -32800 error).
"""
