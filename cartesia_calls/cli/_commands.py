"""What each command does, given an open client. Output goes to stdout; progress and notes to
stderr (notes not with ``--quiet``). The helpers of list commands (:func:`take`,
:func:`listed_note`) serve ``batches list`` too."""

from __future__ import annotations

import contextlib
import json
import sys
import wave
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rich.progress import (
    BarColumn,
    DownloadColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.text import Text

from cartesia_calls import AsyncClient, NotFoundError
from cartesia_calls._calls import LAST_LOGS_VERSION
from cartesia_calls._display import format_duration, format_time, printable

from ._prompt import DELETED
from ._render import (
    calls_table,
    log_lines,
    make_console,
    note,
    print_call,
    print_json,
    print_json_line,
    progress_display,
    status_text,
)
from ._run import CommandFailed

if TYPE_CHECKING:
    from cartesia_calls._model_base import Model
    from cartesia_calls._pagination import AsyncPager

#: A command's work, given an open client.
Command = Callable[[AsyncClient], Awaitable[None]]
T = TypeVar("T", bound="Model")


def get_call(call_id: str, *, as_json: bool) -> Command:
    """``cartesia-calls get``."""

    async def command(client: AsyncClient) -> None:
        call = await client.calls.get(call_id)
        if as_json:
            print_json(call.to_dict())
        else:
            print_call(make_console(), call)

    return command


async def take(pager: AsyncPager[T], limit: int | None, *, as_json: bool) -> tuple[list[T], bool]:
    """At most ``limit`` items of ``pager`` (``None``: all), fetching pages only as needed,
    each printed as a JSON line at once with ``as_json``; and whether more exist."""
    shown: list[T] = []
    async for page in pager.pages():
        for item in page.data:
            if limit is not None and len(shown) >= limit:
                return shown, True
            shown.append(item)
            if as_json:
                print_json_line(item.to_dict())
        if limit is not None and len(shown) >= limit:
            return shown, bool(page.has_more or (page.has_more is None and page.next_page))
    return shown, False


def listed_note(count: int, noun: str, plural: str, owner: str, *, more: bool, quiet: bool) -> None:
    """``12 calls of agent 'a', newest first; more exist: --limit 24 or --all`` on stderr."""
    text = f"{count} {noun if count == 1 else plural}{owner}, newest first"
    if more:
        text += f"; more exist: --limit {count * 2} or --all"
    note(text, quiet=quiet)


def list_calls(
    *,
    agent_id: str | None,
    batch_id: str | None,
    limit: int | None,
    transcript: bool,
    as_json: bool,
    start_time_gte: str | None = None,
    start_time_lte: str | None = None,
    quiet: bool = False,
) -> Command:
    """``cartesia-calls list``: at most ``limit`` calls (``None``: all), fetching pages lazily."""

    async def command(client: AsyncClient) -> None:
        pager = client.calls.list(
            agent_id=agent_id,
            batch_id=batch_id,
            start_time_gte=start_time_gte,
            start_time_lte=start_time_lte,
            expand_transcript=transcript,
            limit=100 if limit is None else min(limit, 100),
        )
        shown, more = await take(pager, limit, as_json=as_json)
        if as_json:
            return
        console = make_console()
        owners = [f"agent {agent_id!r}"] if agent_id is not None else []
        owners += [f"batch {batch_id!r}"] if batch_id is not None else []
        owner = " in ".join(owners)
        if not shown:
            console.print(f"No calls for {owner}.")
            return
        console.print(calls_table(shown, width=console.width, with_turns=transcript))
        listed_note(len(shown), "call", "calls", f" of {owner}", more=more, quiet=quiet)

    return command


def export_calls(
    output: str,
    *,
    agent_id: str | None,
    batch_id: str | None,
    concurrency: int,
    quiet: bool = False,
) -> Command:
    """``cartesia-calls export``: progress on stderr, a one-line summary on stdout."""

    async def command(client: AsyncClient) -> None:
        progress = progress_display(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), quiet=quiet
        )
        task = progress.add_task("exporting calls...", total=None)

        def on_progress(written: int, skipped: int) -> None:
            text = f"exported {written:,} calls"
            if skipped:
                text += f" ({skipped:,} already in the file)"
            progress.update(task, description=text)

        with progress:
            result = await client.calls.export(
                output,
                agent_id=agent_id,
                batch_id=batch_id,
                concurrency=concurrency,
                on_progress=on_progress,
            )
        line = f"Exported {result.written:,} call{'s' if result.written != 1 else ''} to {output}"
        details = []
        if result.skipped:
            details.append(f"{result.skipped:,} already in the file, skipped")
        if result.fetched:
            noun = "transcript" if result.fetched == 1 else "transcripts"
            details.append(f"{result.fetched:,} {noun} fetched one by one")
        if details:
            line += f" ({'; '.join(details)})"
        make_console().print(line + ".", soft_wrap=True)

    return command


def _wav_seconds(path: Path) -> float | None:
    try:
        with wave.open(str(path), "rb") as wav:
            rate = wav.getframerate()
            return wav.getnframes() / rate if rate else None
    except (wave.Error, EOFError, OSError):
        return None


def download_audio(call_id: str, output: str, *, quiet: bool = False) -> Command:
    """``cartesia-calls audio``: a progress bar on stderr while the recording downloads."""

    async def command(client: AsyncClient) -> None:
        progress = progress_display(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            quiet=quiet,
        )
        task = progress.add_task(f"downloading {call_id}", total=None)

        def on_progress(written: int, total: int | None) -> None:
            progress.update(task, completed=written, total=total)

        with progress:
            size = await client.calls.download_audio(call_id, output, on_progress=on_progress)
        seconds = _wav_seconds(Path(output))
        length = f", {format_duration(seconds)} of audio" if seconds is not None else ""
        make_console().print(f"Saved {output} ({size:,} bytes{length}).", soft_wrap=True)

    return command


def show_logs(call_id: str, *, as_json: bool) -> Command:
    """``cartesia-calls logs``."""

    async def command(client: AsyncClient) -> None:
        try:
            result = await client.calls.logs(call_id)
        except NotFoundError as error:
            version = client.cartesia_version
            if version <= LAST_LOGS_VERSION:
                raise
            request = f"; request_id {error.request_id}" if error.request_id else ""
            raise CommandFailed(
                f"call {call_id!r} has no logs (404: {error.title or error.message}{request}); "
                f"call logs may not be available under API version {version}: try "
                f"--cartesia-version {LAST_LOGS_VERSION}"
            ) from None
        if as_json:
            print_json(result.to_dict())
            return
        console = make_console()
        if not result.logs:
            console.print(Text(f"No log lines for call {call_id!r}.", style="dim"))
            return
        console.print(log_lines(result.logs), soft_wrap=True)

    return command


def wait_call(
    call_id: str, *, timeout: float, poll_interval: float, as_json: bool, quiet: bool = False
) -> Command:
    """``cartesia-calls wait``: a spinner on stderr while polling, then how the call ended."""

    async def command(client: AsyncClient) -> None:
        err = make_console(stderr=True)
        spinner = err.status(f"waiting for call {printable(call_id, one_line=True)} to end...")
        with spinner if err.is_terminal and not quiet else contextlib.nullcontext():
            call = await client.calls.wait(
                call_id,
                timeout=timeout,
                poll_interval=poll_interval,
                max_poll_interval=max(30.0, poll_interval),
            )
        if as_json:
            print_json(call.to_dict())
            return
        line = Text(f"Call {call.id} ")
        line.append_text(status_text(call))
        if call.end_reason is not None:
            line.append(f" ({call.end_reason})")
        if call.duration is not None:
            line.append(f" after {format_duration(call.duration)}")
        if call.end_time is not None:
            line.append(f", at {format_time(call.end_time)}")
        if call.error_message:
            line.append(f": {call.error_message}")
        make_console().print(line, soft_wrap=True)

    return command


def cancel_call(call_id: str) -> Command:
    """``cartesia-calls cancel``."""

    async def command(client: AsyncClient) -> None:
        result = await client.calls.cancel(call_id)
        if not result.cancelled:
            raise CommandFailed(f"the API did not cancel call {call_id!r}")
        make_console().print(
            f"Cancelled call {call_id}: it ends with end_reason api_cancelled.", soft_wrap=True
        )

    return command


def delete_call(call_id: str) -> Command:
    """``cartesia-calls delete`` (after confirmation)."""

    async def command(client: AsyncClient) -> None:
        call = await client.calls.delete(call_id)
        when = f" at {format_time(call.redacted_at)}" if call.redacted_at is not None else ""
        make_console().print(
            f"Deleted {DELETED} of call {printable(call.id, one_line=True)}{when}; the call's "
            "record stays, marked as redacted.",
            soft_wrap=True,
        )

    return command


def _outbound_error(error: Any) -> str:
    """Why one number's call was not placed, on one line (the API does not document the
    error's shape: a message when there is one, else the JSON)."""
    if isinstance(error, dict):
        message = error.get("message") or error.get("title") or error.get("detail")
        code = error.get("error_code") or error.get("code")
        if isinstance(message, str) and message.strip():
            prefix = f"[{code}] " if isinstance(code, str) and code else ""
            return printable(prefix + message, one_line=True)
    if isinstance(error, str) and error.strip():
        return printable(error, one_line=True)
    return printable(json.dumps(error, ensure_ascii=False, default=str), one_line=True)


def create_calls(
    *,
    agent_id: str,
    from_number_id: str,
    to_numbers: list[str],
    variables: dict[str, Any] | None,
    ringing_timeout_seconds: int | None,
    max_call_duration_minutes: int | None,
    as_json: bool,
    quiet: bool = False,
) -> Command:
    """``cartesia-calls create``: one line per number (the call id or the error); exit 1 if a
    call was not placed."""

    async def command(client: AsyncClient) -> None:
        items = [
            {"to_number": number, **({"dynamic_variables": variables} if variables else {})}
            for number in to_numbers
        ]
        results = await client.calls.create(
            agent_id=agent_id,
            from_number_id=from_number_id,
            outbound_calls=items,
            ringing_timeout_seconds=ringing_timeout_seconds,
            max_call_duration_minutes=max_call_duration_minutes,
        )
        placed = [result for result in results if result.ok]
        if as_json:
            for result in results:
                print_json_line(result.to_dict())
            sys.stdout.flush()
        else:
            console = make_console()
            width = max(len(number) for number in to_numbers)
            for index, result in enumerate(results):
                asked = to_numbers[index] if index < len(to_numbers) else "?"
                number = printable(result.number or asked, one_line=True)
                line = Text(f"{number:<{width}}  ")
                if result.ok:
                    line.append(printable(str(result.agent_call_id), one_line=True), style="bold")
                else:
                    line.append("not placed: ", style="red")
                    line.append(_outbound_error(result.error))
                console.print(line, soft_wrap=True)
        if placed and not as_json:
            first = printable(str(placed[0].agent_call_id), one_line=True)
            note(
                f"Placed {len(placed)} of {len(results)} calls. Follow one with: "
                f"cartesia-calls wait {first}",
                quiet=quiet,
            )
        if len(placed) < len(results):
            missing = len(results) - len(placed)
            raise CommandFailed(
                f"{missing} of {len(results)} calls could not be placed (see above)"
            )

    return command
