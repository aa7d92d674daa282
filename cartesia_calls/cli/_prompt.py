"""Asking before doing something that cannot be undone."""

from __future__ import annotations

import sys

import click

from ._run import EXIT_ERROR, EXIT_USAGE, fail

#: What Delete Call removes (API version 2026-08-14: "the transcript, audio recordings, and
#: logs", and every other sensitive field; 2026-03-01's metadata too). The record stays.
DELETED = (
    "the transcript, recording, logs, summary, dynamic variables and phone numbers "
    "(the call's sensitive data)"
)


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
    question = f"Delete {DELETED} of call {call_id!r}? This cannot be undone."
    try:
        confirmed = click.confirm(question, default=False, err=True)
    except click.Abort:  # Ctrl-C or end of input at the prompt
        confirmed = False
    if not confirmed:
        fail("not deleted", EXIT_ERROR)
