"""`python -m tether` and the `tether` command: keys leave the environment first."""

from __future__ import annotations


def main() -> int:
    """The program's entry: `isolate()` before the heavy imports, since it may re-execute
    this process (see tether.secret_env); importing this module has no effect."""
    from tether.secret_env import isolate

    isolate()
    from tether.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())
