"""Asking before doing something that cannot be undone."""

from __future__ import annotations

import sys

import click

from ._run import EXIT_ERROR, EXIT_USAGE, fail


def stdin_is_interactive() -> bool:
    """Whether there is a person at a terminal to answer a question."""
    stream = sys.stdin
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stdin
        return False


def confirm_delete(call_id: str) -> None:
    """Ask to confirm deleting a call's data; exit unless the answer is yes.

    Without a terminal to ask on, refuse (exit 2): a script must say ``--yes`` explicitly.
    """
    if not stdin_is_interactive():
        fail(
            f"refusing to delete call {call_id!r} without confirmation: no terminal to ask on; "
            "pass --yes to delete",
            EXIT_USAGE,
        )
    question = (
        f"Delete the transcript, recording, logs, summary, metadata and phone numbers of call "
        f"{call_id!r}? This cannot be undone."
    )
    try:
        confirmed = click.confirm(question, default=False, err=True)
    except click.Abort:  # Ctrl-C or end of input at the prompt
        confirmed = False
    if not confirmed:
        fail("not deleted", EXIT_ERROR)
