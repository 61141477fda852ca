"""The language server: the only package that imports pygls / lsprotocol.

It adapts the session engine to the editor (custom `tether/*` methods, events as
notifications, the document overlay, agent edits through `workspace/applyEdit`) and holds
no agent logic of its own.
"""
