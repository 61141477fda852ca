"""Write missing golden fixtures from the generator's examples: `python tests/golden/freeze.py`.

Fixtures are the frozen wire format: this never overwrites an existing file. A fixture
changes only by hand, on purpose, when the wire format is meant to change.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from golden.golden_catalog import GOLDEN_DIR, expected_fixtures, method_stem
from tether.protocol.generate.examples import (
    capability_examples,
    event_examples,
    method_examples,
)


def main() -> int:
    wire: dict[str, object] = {}
    for method, (params, result) in method_examples().items():
        wire[f"{method_stem(method)}.params.json"] = params.to_wire()
        if result is not None:
            wire[f"{method_stem(method)}.result.json"] = result.to_wire()
    for kind, event in event_examples().items():
        wire[f"event.{kind}.json"] = event.to_wire()
    client, server = capability_examples()
    wire["capabilities.client.json"] = client.to_wire()
    wire["capabilities.server.json"] = server.to_wire()
    missing = set(expected_fixtures()) - set(wire)
    if missing:
        sys.stderr.write(f"no example for {sorted(missing)}\n")
        return 1
    for name, data in sorted(wire.items()):
        path = GOLDEN_DIR / name
        if path.exists():
            continue
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        sys.stderr.write(f"wrote {path.name}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
