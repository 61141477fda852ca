"""`python -m tether.lsp [--tcp HOST:PORT | --ws HOST:PORT]`: the server without the full CLI."""

from __future__ import annotations

import argparse

from tether.secret_env import isolate

if __name__ == "__main__":
    isolate()  # keys out of the environment before the server starts (see secret_env)

from tether.lsp.cli import add_serve_command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tether-lsp")
    sub = parser.add_subparsers(dest="command")
    add_serve_command(sub)
    args = parser.parse_args(["serve", *(argv or [])] if argv is not None else None)
    if args.command is None:
        args = parser.parse_args(["serve"])
    return int(args.func(args))


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
