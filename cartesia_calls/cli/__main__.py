"""``python -m cartesia_calls.cli``: the ``cartesia-calls`` command line."""

from . import main

main(prog_name="cartesia-calls")
