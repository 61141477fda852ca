"""`python -m tether.index index DIR` / `search DIR QUERY`: the index CLI on its own."""

from __future__ import annotations

import argparse
import sys

from tether.index.cli import add_index_commands


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tether.index")
    add_index_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
