"""`python -m tether` and the `tether` command: keys leave the environment first."""

from tether.secret_env import isolate

isolate()  # before the heavy imports: it may re-execute this process (see secret_env)

from tether.cli import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
