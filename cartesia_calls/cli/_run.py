"""Running one command: the client, ``asyncio.run``, and errors as one line and an exit code.

An error never ends in a traceback: it is one line on stderr, ``error: ...``, naming what
failed and what to do about it, and an exit code (see :mod:`cartesia_calls.cli`). The API key
is never printed; as a last guard it is scrubbed from every message. Messages quote what the
server said, so they are made printable (no escape sequences or control characters) first.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
import warnings
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NoReturn

import click

from cartesia_calls._display import printable

if TYPE_CHECKING:
    from cartesia_calls import AsyncClient

    from ._options import Settings

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_WAIT_TIMEOUT = 3
EXIT_INTERRUPTED = 130

MISSING_KEY = (
    "no API key: pass --api-key KEY or set the CARTESIA_API_KEY environment variable "
    "(to try the CLI without a key: cartesia-calls demo)"
)
_DEBUG_ENV = "CARTESIA_CALLS_DEBUG"


class CommandFailed(Exception):
    """Raised by a command to stop with a message and an exit code."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def fail(message: str, code: int = EXIT_ERROR, *, prefix: str = "error: ") -> NoReturn:
    """Print one line on stderr (made printable) and exit with ``code``."""
    click.echo(printable(f"{prefix}{message}", one_line=True), err=True)
    raise click.exceptions.Exit(code)


def run(
    settings: Settings,
    command: Callable[[AsyncClient], Awaitable[None]],
    *,
    subject: str | None = None,
    not_found: str = "not found",
    interrupted_hint: str | None = None,
    unsure: str | None = None,
) -> None:
    """Run ``command(client)`` in a fresh event loop and turn failures into exit codes.

    Args:
        settings: the global options.
        command: the work, given an open :class:`AsyncClient`.
        subject: what the command is about, for messages (``"call 'ac_1'"``).
        not_found: what a 404 means for the subject (``"has no recording"``).
        interrupted_hint: what to do after Ctrl-C.
        unsure: for commands that dial phones (never retried once sent): the command that
            shows whether a request that failed on the way (a timeout, a lost connection, a
            5xx) placed calls anyway; the message says to check with it before trying again.
    """
    key = settings.api_key
    if key is None:
        fail(MISSING_KEY, EXIT_USAGE)
    where: dict[str, str] = {}
    try:
        asyncio.run(_with_client(settings, key, command, where))
    except KeyboardInterrupt:
        hint = f"; {interrupted_hint}" if interrupted_hint else ""
        fail(f"interrupted{hint}", EXIT_INTERRUPTED)
    except click.exceptions.Exit:
        raise
    except BrokenPipeError:
        closed_stdout()
    except Exception as exc:  # every failure becomes one line and an exit code
        base_url = where.get("base_url") or settings.base_url or "https://api.cartesia.ai"
        described = describe(exc, subject=subject, not_found=not_found, base_url=base_url)
        if described is not None and unsure is not None and _maybe_sent(exc):
            described = (
                f"{described[0]}; the request may have reached Cartesia and placed calls: "
                f"check with `{unsure}` before trying again",
                described[1],
            )
        if described is None:
            if os.environ.get(_DEBUG_ENV):
                raise
            described = (
                f"unexpected {type(exc).__name__}: {exc} (set {_DEBUG_ENV}=1 to see the traceback)",
                EXIT_ERROR,
            )
        message, code = described
        fail(message.replace(key, "sk_car_***"), code)


def closed_stdout() -> NoReturn:
    """The reader of stdout went away (``| head``): stop quietly, like other command line
    tools (exit code 1, no message)."""
    # Point stdout at the null device so the final flush cannot fail again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass
    raise click.exceptions.Exit(EXIT_ERROR)


def _maybe_sent(exc: BaseException) -> bool:
    """Whether a failed request may still have been carried out by the server."""
    from cartesia_calls import errors  # noqa: PLC0415

    return isinstance(exc, errors.APITimeoutError | errors.APIConnectionError) or (
        isinstance(exc, errors.APIStatusError) and exc.status_code >= 500
    )


async def _with_client(
    settings: Settings,
    key: str,
    command: Callable[[AsyncClient], Awaitable[None]],
    where: dict[str, str],
) -> None:
    from cartesia_calls import AsyncClient  # noqa: PLC0415

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        options: dict[str, Any] = {}
        if settings.timeout is not None:
            options["timeout"] = settings.timeout
        client = AsyncClient(
            api_key=key,
            base_url=settings.base_url,
            max_retries=settings.max_retries,
            cartesia_version=settings.cartesia_version,
            **options,
        )
    for warning in caught:
        click.echo(printable(f"warning: {warning.message}", one_line=True), err=True)
    where["base_url"] = client.base_url
    async with client:
        await command(client)


def describe(
    exc: BaseException, *, subject: str | None, not_found: str, base_url: str
) -> tuple[str, int] | None:
    """One line for an exception, and the exit code; ``None`` for an unexpected exception."""
    from cartesia_calls import errors  # noqa: PLC0415

    retries = getattr(exc, "retries_taken", 0) or 0
    after = f" after {retries} {'retry' if retries == 1 else 'retries'}" if retries else ""
    if isinstance(exc, CommandFailed):
        return exc.message, exc.code
    if isinstance(exc, errors.MissingAPIKeyError):
        return MISSING_KEY, EXIT_USAGE
    if isinstance(exc, errors.WaitTimeoutError):
        what = "call" if exc.call_id is not None else "batch"
        return (
            f"{what} {exc.resource_id!r} was still {exc.last_status or 'running'} when the wait "
            "timed out; wait longer with --timeout",
            EXIT_WAIT_TIMEOUT,
        )
    if isinstance(exc, errors.APITimeoutError):
        return f"{base_url} did not answer in time{after}: {exc.message}", EXIT_ERROR
    if isinstance(exc, errors.APIConnectionError):
        detail = exc.message.removeprefix("connection error: ")
        return f"could not reach {base_url}{after}: {detail}", EXIT_ERROR
    if isinstance(exc, errors.ResponseDecodeError):
        return f"the API answered with something unreadable: {exc.message}", EXIT_ERROR
    if isinstance(exc, errors.APIStatusError):
        return _status_message(exc, subject=subject, not_found=not_found, after=after), EXIT_ERROR
    if isinstance(exc, errors.CartesiaError):
        return str(exc), EXIT_ERROR
    if isinstance(exc, OSError):
        # "out/calls.jsonl: the folder 'out' does not exist", as command line tools put it.
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}", EXIT_ERROR
    if isinstance(exc, ValueError | TypeError):
        # The SDK checks arguments before sending anything (an empty id, a bad URL...).
        return str(exc), EXIT_USAGE
    return None


def _status_message(exc: Any, *, subject: str | None, not_found: str, after: str) -> str:
    from cartesia_calls import errors  # noqa: PLC0415

    request = f"; request_id {exc.request_id}" if exc.request_id else ""
    if isinstance(exc, errors.NotFoundError) and subject is not None:
        detail = exc.title or exc.message
        return f"{subject} {not_found} (404: {detail}{request})"
    if isinstance(exc, errors.AuthenticationError):
        return f"the API key was rejected (401{request}): check --api-key or CARTESIA_API_KEY"
    if isinstance(exc, errors.RateLimitError):
        wait = exc.retry_after
        asked = f"; the server asked to wait {wait:g}s (Retry-After)" if wait is not None else ""
        return (
            f"rate limited (429{request}): the API's concurrency limit was still exceeded{after}"
            f"{asked}; try again later, or with fewer requests at once"
        )
    prefix = f"{subject}: " if subject is not None else ""
    if isinstance(exc, errors.InternalServerError):
        return f"{prefix}Cartesia's server failed{after}: {exc}"
    return f"{prefix}{exc}"
