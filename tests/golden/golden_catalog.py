"""Which model each golden fixture holds, by file name.

`<method>.params.json` / `<method>.result.json` (the method name with `/` as `.`),
`event.<type>.json`, and `capabilities.<side>.json`.
"""

from __future__ import annotations

from pathlib import Path

from tether.protocol import methods
from tether.protocol.base import WireModel
from tether.protocol.events import EVENT_TYPES

GOLDEN_DIR = Path(__file__).parent


def method_stem(method: str) -> str:
    return method.replace("/", ".")


def expected_fixtures() -> dict[str, type[WireModel]]:
    """Every fixture file name the protocol needs, with the model it must hold."""
    out: dict[str, type[WireModel]] = {}
    for method, (params, result) in methods.METHOD_PARAMS.items():
        out[f"{method_stem(method)}.params.json"] = params
        if result is not None:
            out[f"{method_stem(method)}.result.json"] = result
    for kind, cls in EVENT_TYPES.items():
        out[f"event.{kind}.json"] = cls
    out["capabilities.client.json"] = methods.TetherClientCapabilities
    out["capabilities.server.json"] = methods.TetherServerCapabilities
    return out
