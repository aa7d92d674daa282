"""The ``cartesia-calls`` command's entry point, installed with or without the ``cli`` extra.

The command line needs click and rich (the ``cli`` extra). A plain ``pip install
cartesia-calls`` still installs the script, so it starts here: one line saying what to install,
instead of a ``ModuleNotFoundError`` traceback. Looking the packages up imports neither, so
``cartesia-calls --help`` stays as quick as the command line itself.
"""

from __future__ import annotations

import sys
from importlib.util import find_spec

__all__ = ["main"]

_EXTRA_PACKAGES = ("click", "rich")
HINT = 'cartesia-calls: the command line needs its extra: pip install "cartesia-calls[cli]"'


def main() -> None:
    """Run the command line, or say how to install it (exit status 1)."""
    if any(find_spec(name) is None for name in _EXTRA_PACKAGES):
        print(HINT, file=sys.stderr)
        raise SystemExit(1)
    from .cli import main as cli  # noqa: PLC0415 - only once click is known to be there

    cli()
