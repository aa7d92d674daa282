"""The fault matrix: every injected fault against get, list (mid-pagination), audio (mid-stream)
and create, with the outcome a user expects, the number of attempts, no half-written file and a
connection pool that still works afterwards. docs/reliability.md renders this table, and the
table of rules a hostile server or careless input must not break (``RULES``), each naming the
tests that hold it."""

from __future__ import annotations

import email.utils
import importlib
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from cartesia_calls import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncClient,
    BadRequestError,
    InternalServerError,
    RateLimitError,
    ResponseDecodeError,
    Timeout,
)
from cartesia_calls.testing import FakeCartesia, Recording

from .helpers import SleepRecorder
from .hostile import gzip_bomb

OK = "ok"
Outcome = tuple[str | type[Exception], int]  # (OK or the exception class, attempts)
Operation = Callable[[AsyncClient, Path], Awaitable[Any]]

# Each operation, and the (method, path) its faults target. List faults hit the second page.
OPERATIONS: dict[str, tuple[str, str, int]] = {
    "get": ("GET", "/agents/calls/ac_1", 0),
    "list": ("GET", "/agents/calls", 1),
    "audio": ("GET", "/agents/calls/ac_1/audio", 0),
    "create": ("POST", "/agents/calls", 0),
}


async def run_get(client: AsyncClient, tmp: Path) -> Any:
    return await client.calls.get("ac_1")


async def run_list(client: AsyncClient, tmp: Path) -> Any:
    calls = await client.calls.list(agent_id="agent_1", limit=2).to_list()
    assert [c.id for c in calls] == ["ac_4", "ac_3", "ac_2", "ac_1"]
    return calls


async def run_audio(client: AsyncClient, tmp: Path) -> Any:
    written = await client.calls.download_audio("ac_1", tmp / "call.wav")
    assert (tmp / "call.wav").stat().st_size == written
    return written


async def run_create(client: AsyncClient, tmp: Path) -> Any:
    return await client.calls.create(
        agent_id="agent_1",
        from_number_id="ap_fake_number",
        outbound_calls=[{"to_number": "+14155550001"}],
    )


RUNNERS: dict[str, Operation] = {
    "get": run_get,
    "list": run_list,
    "audio": run_audio,
    "create": run_create,
}

SOON = email.utils.formatdate(time.time() + 1, usegmt=True)
NOT_JSON = b"<<this is not json>>" * 400_000  # 8 MB
DEEP_JSON = b"[" * 100_000 + b"]" * 100_000
QUADRATIC_HTML = b"<" * 64 * 1024  # seconds of regex backtracking for a naive tag stripper
GZIP_BOMB = gzip_bomb(64 * 1024 * 1024)  # 64 KiB that inflate to 64 MiB
#: The matrix's clients hold at most this much of a body (the default is 64 MiB).
MATRIX_MAX_RESPONSE_BYTES = 16 * 1024 * 1024

# fault name -> (fault options, {operation: (outcome, attempts)}); "*" covers the rest.
MATRIX: dict[str, tuple[dict[str, Any], dict[str, Outcome]]] = {
    "429 with Retry-After seconds": (
        {"status": 429, "headers": {"Retry-After": "1"}},
        {"create": (RateLimitError, 1), "*": (OK, 2)},
    ),
    "429 with Retry-After HTTP date": (
        {"status": 429, "headers": {"Retry-After": SOON}},
        {"create": (RateLimitError, 1), "*": (OK, 2)},
    ),
    "429 without Retry-After": ({"status": 429}, {"create": (RateLimitError, 1), "*": (OK, 2)}),
    "500": ({"status": 500}, {"create": (InternalServerError, 1), "*": (OK, 2)}),
    "502": ({"status": 502}, {"create": (InternalServerError, 1), "*": (OK, 2)}),
    "503": ({"status": 503}, {"create": (InternalServerError, 1), "*": (OK, 2)}),
    "504": ({"status": 504}, {"create": (InternalServerError, 1), "*": (OK, 2)}),
    "500 every time": (
        {"status": 500, "times": 99},
        {"create": (InternalServerError, 1), "*": (InternalServerError, 3)},
    ),
    "HTML error page": (
        {
            "status": 502,
            "body": "<html><title>Bad gateway</title></html>",
            "content_type": "text/html",
        },
        {"create": (InternalServerError, 1), "*": (OK, 2)},
    ),
    "reset before headers": (
        {"action": "drop"},
        {"create": (APIConnectionError, 1), "*": (OK, 2)},
    ),
    "reset after headers, body cut": (
        {"action": "truncate"},
        {"create": (APIConnectionError, 1), "audio": (APIConnectionError, 1), "*": (OK, 2)},
    ),
    "slow headers": (
        {"delay": 1.5},
        {"create": (APITimeoutError, 1), "*": (OK, 2)},
    ),
    "slow body": (
        {"body_delay": 1.5},
        {"create": (APITimeoutError, 1), "audio": (APITimeoutError, 1), "*": (OK, 2)},
    ),
    "invalid JSON": (
        {"status": 200, "body": b"{not json"},
        {"*": (ResponseDecodeError, 1)},
    ),
    "empty body": (
        {"status": 200, "body": b""},
        {"*": (ResponseDecodeError, 1)},
    ),
    "enormous body": (
        {"status": 200, "body": NOT_JSON},
        {"*": (ResponseDecodeError, 1)},
    ),
    "200 with an HTML page": (
        {
            "status": 200,
            "body": b"<html><title>Sign in</title></html>",
            "content_type": "text/html",
        },
        {"*": (ResponseDecodeError, 1)},
    ),
    "error body nested 100,000 deep": (
        {"status": 400, "body": DEEP_JSON},
        {"*": (BadRequestError, 1)},
    ),
    "64 KiB of < as an error page": (
        {"status": 502, "body": QUADRATIC_HTML, "content_type": "text/html"},
        {"create": (InternalServerError, 1), "*": (OK, 2)},
    ),
    "gzip bomb (64 KiB to 64 MiB)": (
        {"status": 200, "body": GZIP_BOMB, "headers": {"Content-Encoding": "gzip"}},
        {"*": (ResponseDecodeError, 1)},
    ),
    "307 to the same URL": (
        {"status": 307, "headers": {"Location": ""}},
        {"create": (APIStatusError, 1), "*": (OK, 2)},
    ),
    "302 to another origin": (
        {"status": 302, "headers": {"Location": "http://127.0.0.1:1/agents/calls/ac_1"}},
        {"*": (APIStatusError, 1)},
    ),
}

# A 200 whose body is JSON (or HTML) is not a recording: audio is in every row.
CASES = [pytest.param(fault, op, id=f"{fault} / {op}") for fault in MATRIX for op in OPERATIONS]


def expected(fault: str, op: str) -> Outcome:
    outcomes = MATRIX[fault][1]
    return outcomes.get(op, outcomes["*"])


@pytest.fixture
def fake(fake: FakeCartesia) -> FakeCartesia:
    for i in range(1, 5):
        fake.add_call(id=f"ac_{i}", agent_id="agent_1", start_time=f"2026-03-01T12:00:0{i}Z")
    fake.recordings["ac_1"] = Recording(seconds=20.0)  # several 64 KiB chunks
    return fake


@pytest.mark.parametrize(("fault", "op"), CASES)
async def test_fault(fake: FakeCartesia, tmp_path: Path, fault: str, op: str) -> None:
    method, path, after = OPERATIONS[op]
    options, _ = MATRIX[fault]
    fake.add_fault(method=method, path=path, after=after, **options)
    outcome, attempts = expected(fault, op)
    # Generous margins (0.5 s against 1.5 s stalls) so a loaded CI machine cannot flip a case.
    timeout = Timeout(total=10, connect=2, read=0.5)
    # One connection only: anything leaked would make the follow-up request below hang.
    async with fake.client(
        timeout=timeout,
        connection_limit=1,
        backoff=SleepRecorder().backoff(),
        max_response_bytes=MATRIX_MAX_RESPONSE_BYTES,
    ) as client:
        if outcome == OK:
            await RUNNERS[op](client, tmp_path)
        else:
            assert isinstance(outcome, type)
            with pytest.raises(outcome):
                await RUNNERS[op](client, tmp_path)
            if op == "audio":
                assert list(tmp_path.iterdir()) == [], "a failed download left a file"
        matching = [r for r in fake.requests if r.method == method and r.path == path]
        assert len(matching) == attempts + after
        # The pool is healthy: a plain request on the single connection still works.
        fake.faults.clear()
        assert (await client.calls.get("ac_2")).id == "ac_2"


@pytest.mark.parametrize("op", OPERATIONS)
async def test_connection_refused(tmp_path: Path, op: str) -> None:
    async with FakeCartesia() as fake:
        base_url, key = fake.base_url, fake.api_key
    async with AsyncClient(
        api_key=key, base_url=base_url, backoff=SleepRecorder().backoff()
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await RUNNERS[op](client, tmp_path)
    assert not isinstance(info.value, APITimeoutError)
    # Nothing reached a server, so even create is retried: 3 attempts in all.
    assert getattr(info.value, "retries_taken", None) == 2
    assert list(tmp_path.iterdir()) == []


async def test_wrong_content_type_is_parsed_anyway(fake: FakeCartesia) -> None:
    body = b'{"id": "ac_1", "agent_id": "agent_1", "status": "completed"}'
    fake.add_fault(status=200, body=body, content_type="text/plain", path="/agents/calls/ac_1")
    async with fake.client() as client:
        assert (await client.calls.get("ac_1")).id == "ac_1"


async def test_enormous_body_error_keeps_only_the_start(fake: FakeCartesia) -> None:
    fake.add_fault(status=200, body=NOT_JSON, path="/agents/calls/ac_1")
    async with fake.client() as client:
        with pytest.raises(ResponseDecodeError) as info:
            await client.calls.get("ac_1")
    assert len(info.value.body) <= 64 * 1024


def render_table() -> str:
    """The matrix as the Markdown table in docs/reliability.md."""

    def describe(outcome: Outcome) -> str:
        result, attempts = outcome
        shown = "succeeds" if result == OK else f"`{result.__name__}`"  # type: ignore[union-attr]
        return f"{shown}, {attempts} attempt{'s' if attempts > 1 else ''}"

    rows = [
        "| fault | " + " | ".join(OPERATIONS) + " | test |",
        "|---" * (len(OPERATIONS) + 2) + "|",
    ]
    for fault in MATRIX:
        cells = [describe(expected(fault, op)) for op in OPERATIONS]
        rows.append(f"| {fault} | " + " | ".join(cells) + f" | `test_fault[{fault} / …]` |")
    refused = "`APIConnectionError`, 3 attempts"
    rows.append(
        "| connection refused | "
        + " | ".join([refused] * len(OPERATIONS))
        + " | `test_connection_refused` |"
    )
    return "\n".join(rows)


def test_docs_table_is_current() -> None:
    page = (Path(__file__).parent.parent / "docs" / "reliability.md").read_text()
    start = page.index("<!-- matrix:start -->") + len("<!-- matrix:start -->")
    end = page.index("<!-- matrix:end -->")
    assert page[start:end].strip() == render_table(), (
        "docs/reliability.md is out of date: paste render_table() between the markers"
    )


# -- rules against hostile servers and careless input ---------------------------------------------

# (what, the rule, what happens instead, the tests that hold it as "module::test"). Each test runs
# against tests/hostile.py (a server on raw sockets that misbehaves on purpose) where a server is
# involved, and is bounded in time and, where memory is the point, in memory (tracemalloc).
RULES: list[tuple[str, str, str, list[str]]] = [
    (
        "export into a file that is not an export",
        "Never destroy bytes the SDK did not write.",
        "`ValueError` naming the file and the first line that is not a call, before any request "
        "and before a byte changes; a cut last line is removed only behind an export",
        [
            "test_hostile_export::test_a_file_that_is_not_an_export_is_refused_untouched",
            "test_hostile_export::test_a_cut_last_line_is_repaired_only_behind_an_export",
            "test_hostile_export::test_reading_a_big_export_keeps_only_the_ids",
            "test_hostile_export::test_the_cli_refuses_a_foreign_file_with_one_line",
        ],
    ),
    (
        "errors inside `export`'s task group",
        "Only the SDK's typed errors or documented built-ins leave the SDK.",
        "the first error itself (others as notes), never an `ExceptionGroup`; cancellation and "
        "Ctrl-C propagate as themselves",
        [
            "test_hostile_export::test_a_failed_transcript_fetch_raises_the_sdk_error_itself",
            "test_hostile_export::test_cancelling_an_export_cancels_it",
            "test_hostile_export::test_first_error_prefers_cancellation_and_interrupts",
        ],
    ),
    (
        "error bodies: deep JSON, unknown charsets",
        "Only the SDK's typed errors leave it: no `RecursionError`, no `LookupError`.",
        "JSON is parsed by orjson (depth limit) and kept only up to 64 levels, else read as "
        "text; `errors.decode_text()` decodes any bytes under any charset name, UTF-8 when it "
        "cannot use the one named, and never raises",
        [
            "test_errors::test_worst_case_bodies_parse_in_linear_time",
            "test_errors::test_decode_text_never_fails",
            "test_errors::test_a_deep_json_error_body_through_the_client",
            "test_hostile_transport::test_an_error_body_in_any_charset_is_a_typed_error",
            "test_errors_fuzz::test_any_bytes_in_any_charset_build_a_well_formed_error_without_the_key",
        ],
    ),
    (
        "64 KiB error bodies built to backtrack",
        "Parsing is linear in the (cut) body: nothing blocks the event loop.",
        "one forward scan for `<title>`, a tag pattern that cannot rescan; only the kept 64 KiB "
        "is parsed (each worst case about 1-4 ms, where the old patterns took up to 2.6 s)",
        [
            "test_errors::test_worst_case_bodies_parse_in_linear_time",
            "test_errors::test_only_the_kept_part_of_a_body_is_parsed",
        ],
    ),
    (
        "a list that never ends",
        "Pagination stops; memory stays flat however many pages are walked.",
        "stops when `has_more` is not true (2026-08-14; older versions may omit it) or there is "
        "no usable cursor; a repeated cursor (last 256), an overlong cursor or more than "
        "`max_pages` (100,000; `pager.with_max_pages(n)`) raise `APIError`",
        [
            "test_hostile_pagination::test_fresh_cursors_forever_stop_at_the_page_ceiling",
            "test_hostile_pagination::test_under_2026_08_14_a_page_without_has_more_true_is_the_last",
            "test_hostile_pagination::test_a_page_that_cannot_lead_further_is_the_last",
            "test_hostile_pagination::test_a_cursor_loop_is_refused_when_it_repeats",
            "test_hostile_pagination::test_memory_stays_flat_however_many_pages_are_walked",
            "test_hostile_pagination::test_the_sync_pager_has_the_same_ceiling",
        ],
    ),
    (
        "a download that is not the recording",
        "A good file is never replaced by wrong bytes.",
        "a 2xx that is not `audio/*` (octet-stream and no Content-Type are accepted) is a "
        "`ResponseDecodeError`; a WAV longer than its RIFF header is a `ResponseDecodeError`, "
        "shorter an `APIConnectionError` (sizes 0 and 0xFFFFFFFF mean unknown); the old file "
        "stays",
        [
            "test_hostile_audio::test_a_2xx_that_is_not_audio_is_an_error",
            "test_hostile_audio::test_a_wav_whose_size_is_not_its_headers_is_an_error",
            "test_hostile_audio::test_streaming_placeholder_sizes_are_accepted",
            "test_hostile_audio::test_a_stream_hands_out_every_chunk_then_raises_when_cut_short",
        ],
    ),
    (
        "the mode of a downloaded file",
        "A download is like any file the user creates.",
        "a new file gets 0o666 less the umask; a replaced file keeps its mode",
        [
            "test_hostile_audio::test_a_new_file_gets_the_umask_mode_and_a_replaced_file_keeps_its_mode"
        ],
    ),
    (
        "escape sequences in server strings",
        "The CLI never lets server data drive the terminal.",
        "`printable()` strips escape sequences, C0/C1 controls, DEL and bidi overrides from "
        "every server string printed (tables, transcripts, errors); rich markup is not "
        "interpreted; `--json` keeps every value exact (DEL, C1 and bidi written as `\\u` escapes)",
        [
            "test_hostile_terminal::test_printed_server_strings_are_inert",
            "test_hostile_terminal::test_an_error_message_from_the_server_is_inert",
            "test_hostile_terminal::test_json_output_keeps_every_value_exact_and_inert",
            "test_hostile_terminal::test_str_of_a_call_is_inert_and_its_data_exact",
        ],
    ),
    (
        "a gzip bomb, an endless body",
        "A body held in memory is bounded, compressed or not.",
        "`max_response_bytes` (64 MiB by default; per client and per `with_options`) is counted "
        "as the body arrives, after decompression: past it, `ResponseDecodeError` and the "
        "connection is dropped (a 256 MiB bomb peaks under 16 MiB); a `Content-Length` past it "
        "is refused before reading. Downloads are asked for and accepted uncompressed only "
        "(`Accept-Encoding: identity`), up to 4 GiB, the most a WAV can be",
        [
            "test_hostile_transport::test_a_gzip_bomb_stops_at_the_limit_in_bounded_memory",
            "test_hostile_transport::test_a_body_past_the_limit_is_refused_however_it_is_framed",
            "test_hostile_transport::test_a_body_exactly_at_the_limit_is_read",
            "test_hostile_transport::test_audio_is_asked_for_uncompressed_and_refused_compressed",
            "test_hostile_transport::test_audio_announcing_more_than_a_wav_can_hold_is_refused",
        ],
    ),
    (
        "headers dripped a byte at a time, a pool that stays full",
        "Every wait is bounded.",
        "`total` bounds the response headers of every request, downloads included "
        "(`APITimeoutError.kind == 'headers'`); waiting for a free connection is bounded by "
        "`connect` (`kind == 'pool'`, `request_sent` false, so even a POST is retried); each "
        "message names the limit, its value and the attempts made",
        [
            "test_hostile_transport::test_headers_dripped_byte_by_byte_hit_the_headers_deadline",
            "test_hostile_transport::test_waiting_for_a_pool_slot_is_bounded_by_connect",
            "test_retries::test_slow_headers_time_out_by_read_timeout",
        ],
    ),
    (
        "credentials in `base_url`",
        "What the user gave is never echoed where it could leak.",
        "`ValueError` when the client is made (from the argument or `CARTESIA_BASE_URL`), naming "
        "the problem and never the URL; nothing is sent or logged with it",
        ["test_hostile_transport::test_credentials_in_base_url_are_refused_without_repeating_them"],
    ),
    (
        "an `on_response` hook that raises",
        "A failure never leaks a connection.",
        "the response is let go before the hook's exception propagates (downloads, streams, "
        "error statuses); a one-connection pool keeps working",
        ["test_hostile_transport::test_a_raising_hook_leaks_no_connection"],
    ),
    (
        "redirects",
        "A request goes where the API is; the key goes to the API only.",
        "GET and HEAD follow up to 5 redirects within the API's origin; any other 3xx is an "
        "`APIStatusError` naming the target, never retried; POST and DELETE are never "
        "redirected; a download may follow https to another origin (a storage URL) without "
        "`Authorization`, `Cartesia-Version` or `default_headers`, and never sends them again",
        [
            "test_hostile_transport::test_a_json_get_never_follows_a_redirect_to_another_origin",
            "test_hostile_transport::test_a_same_origin_get_redirect_is_followed",
            "test_hostile_transport::test_redirects_are_followed_a_bounded_number_of_times",
            "test_hostile_transport::test_post_and_delete_are_never_redirected",
            "test_hostile_transport::test_a_redirect_nowhere_is_a_status_error",
            "test_hostile_transport::test_a_download_follows_https_to_storage_without_the_key",
            "test_hostile_transport::test_once_away_from_the_api_the_key_is_never_sent_again",
            "test_hostile_transport::test_a_download_never_follows_plain_http_to_another_origin",
        ],
    ),
    (
        "the key inside a chained exception",
        "The key never appears in an exception, causes included.",
        "aiohttp's exceptions (their `request_info` holds the request headers) are never chained: "
        "their text is kept with the key and proxy passwords redacted; a `ResponseDecodeError` "
        "from a request is rebuilt with them redacted and no cause; the tests walk every object "
        "an error holds (causes, context, args, attributes, slots)",
        [
            "test_hostile_transport::test_no_exception_holds_the_key_anywhere",
            "test_hostile_transport::test_a_refused_connection_holds_no_key",
            "test_hostile_transport::test_the_walk_finds_a_key_in_aiohttp_request_info",
        ],
    ),
    (
        "any bytes as a response",
        "Only the SDK's typed errors leave it.",
        "any status line, headers, framing, encoding and body (or bytes that are not HTTP) give "
        "get, list, request, create and download a correct result or an `APIError`; an error "
        "that aiohttp has no class for is an `APIConnectionError` (`transient` false)",
        [
            "test_transport_fuzz::test_any_response_gives_a_result_or_a_typed_error",
            "test_transport_fuzz::test_the_examples_include_successes",
        ],
    ),
    (
        "a server echoing the API key",
        "The key never appears in an exception.",
        "an `APIStatusError` or `ResponseDecodeError` given `secrets=[key]` replaces it (also "
        "JSON-escaped, or cut at the end of the kept body) with `[redacted]` in its body, "
        "fields, JSON and headers",
        [
            "test_errors::test_a_server_echoing_the_key_does_not_put_it_in_the_error",
            "test_errors::test_a_key_cut_by_the_body_limit_is_redacted_too",
            "test_errors::test_headers_echoing_the_key_are_redacted_and_still_work",
        ],
    ),
]


def render_rules() -> str:
    """The rules as the Markdown table in docs/reliability.md."""
    rows = ["| hostile input | rule | what happens | tests |", "|---|---|---|---|"]
    for what, rule, outcome, tests in RULES:
        names = "<br>".join(f"`{test.replace('::', '.py::')}`" for test in tests)
        rows.append(f"| {what} | {rule} | {outcome} | {names} |")
    return "\n".join(rows)


def test_every_rule_names_tests_that_exist() -> None:
    for _, _, _, tests in RULES:
        for test in tests:
            module, name = test.split("::")
            assert callable(getattr(importlib.import_module(f"tests.{module}"), name)), test


def _between(page: str, name: str) -> str:
    start = page.index(f"<!-- {name}:start -->") + len(f"<!-- {name}:start -->")
    return page[start : page.index(f"<!-- {name}:end -->")].strip()


def test_docs_rules_are_current() -> None:
    page = (Path(__file__).parent.parent / "docs" / "reliability.md").read_text()
    assert _between(page, "rules") == render_rules(), (
        "docs/reliability.md is out of date: paste render_rules() between the rules markers"
    )
