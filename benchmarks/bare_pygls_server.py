"""The baseline of `bench_lsp.py`: a bare pygls 2 language server on stdio.

It does what any minimal server does (one text-sync feature) and nothing else, so the
benchmark's ratio isolates what Tether adds to start-up: its imports, settings and
capabilities, not Python or pygls themselves.
"""

from __future__ import annotations

import logging

from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer("bare-pygls", "0.1.0")


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    """Keep pygls' document store in use, as any real server would."""


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    server.start_io()
