"""``cartesia-calls create``: outbound calls with dynamic variables, one line per number, never
retried, every option checked before anything is sent."""

from __future__ import annotations

import json

import pytest

from cartesia_calls.cli._variables import typed
from cartesia_calls.testing import FakeCartesia

from .cli_support import KEY, Invoke, error_line, usage_error

CALLS = "/agents/calls"
REQUIRED = ["--agent-id", "agent_1", "--from-number-id", "pn_fake_number"]

pytestmark = pytest.mark.fake(api_key=KEY)  # no samples: the tests count what was placed


def placed(fake: FakeCartesia) -> list[str]:
    return list(fake.calls)


def test_create_places_one_call_per_number_with_typed_variables(
    cli: Invoke, fake: FakeCartesia
) -> None:
    result = cli(
        "create", *REQUIRED, "--to", "+14155550101", "--to", "+14155550102",
        "--var", "first_name=Ada", "--var", "visits=3", "--var", "balance=12.5",
        "--var", "vip=true", "--var", "zip:str=94103", "--var", "code=007", "--var", "note=",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    first, second = placed(fake)
    assert result.stdout == f"+14155550101  {first}\n+14155550102  {second}\n"
    assert result.stderr == f"Placed 2 of 2 calls. Follow one with: cartesia-calls wait {first}\n"
    variables = {
        "first_name": "Ada",
        "visits": 3,
        "balance": 12.5,
        "vip": True,
        "zip": "94103",
        "code": "007",
        "note": "",
    }
    [request] = [r for r in fake.requests if r.method == "POST"]
    assert request.json() == {
        "agent_id": "agent_1",
        "from_number_id": "pn_fake_number",
        "outbound_calls": [
            {"to_number": "+14155550101", "dynamic_variables": variables},
            {"to_number": "+14155550102", "dynamic_variables": variables},
        ],
    }


def test_a_number_that_could_not_be_called(cli: Invoke, fake: FakeCartesia) -> None:
    fake.unreachable_numbers["+14155550102"] = {"code": "dial_failed", "message": "Unreachable"}
    fake.unreachable_numbers["+14155550103"] = {"odd": ["shape"]}
    result = cli(
        "create", *REQUIRED, "--to", "+14155550101", "--to", "+14155550102",
        "--to", "+14155550103", "--ringing-timeout-seconds", "20",
        "--max-call-duration-minutes", "5",
    )  # fmt: skip
    assert result.exit_code == 1
    [call_id] = placed(fake)
    assert result.stdout.splitlines() == [
        f"+14155550101  {call_id}",
        "+14155550102  not placed: [dial_failed] Unreachable",
        '+14155550103  not placed: {"odd": ["shape"]}',
    ]
    assert result.stderr.splitlines() == [
        f"Placed 1 of 3 calls. Follow one with: cartesia-calls wait {call_id}",
        "error: 2 of 3 calls could not be placed (see above)",
    ]
    body = fake.requests[-1].json()
    assert (body["ringing_timeout_seconds"], body["max_call_duration_minutes"]) == (20, 5)
    assert "dynamic_variables" not in body["outbound_calls"][0]


def test_json_prints_one_result_per_line(cli: Invoke, fake: FakeCartesia) -> None:
    fake.unreachable_numbers["+14155550102"] = {"message": "Unreachable"}
    result = cli("create", *REQUIRED, "--to", "+14155550101", "--to", "+14155550102", "--json")
    assert result.exit_code == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first == {"number": "+14155550101", "agent_call_id": placed(fake)[0]}
    assert second == {"number": "+14155550102", "error": {"message": "Unreachable"}}
    assert result.stderr == "error: 1 of 2 calls could not be placed (see above)\n"


def test_quiet_leaves_only_the_results(cli: Invoke) -> None:
    result = cli("create", *REQUIRED, "--to", "+14155550101", "--quiet")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.startswith("+14155550101  ac_")


def test_create_is_never_retried(cli: Invoke, fake: FakeCartesia) -> None:
    fake.add_fault(status=500, method="POST", path=CALLS)
    result = cli("--max-retries", "3", "create", *REQUIRED, "--to", "+14155550101")
    assert result.exit_code == 1
    line = error_line(result)
    assert "Cartesia's server failed" in line
    assert (
        "the request may have reached Cartesia and placed calls: check with "
        "`cartesia-calls list --agent-id agent_1` before trying again"
    ) in line
    assert fake.request_count("POST", CALLS) == 1


def test_an_unknown_phone_number(cli: Invoke) -> None:
    result = cli("create", "--agent-id", "a", "--from-number-id", "pn_nope", "--to", "+14155550101")
    assert result.exit_code == 1
    assert "404 [phone_number_not_found]" in error_line(result)
    assert "may have reached" not in error_line(result)


@pytest.mark.parametrize(
    ("args", "option", "says"),
    [
        (["--to", "555-0101"], "--to", "must be an E.164 phone number"),
        (["--to", "+1 415 555 0101"], "--to", "got '+1 415 555 0101'"),
        (["--var", "first_name"], "--var", "'first_name' is not name=value"),
        (["--var", "first name=Ada"], "--var", "dynamic_variables['first name']: a name is"),
        (["--var", "system__x=1"], "--var", "names starting with 'system__' are reserved"),
        (["--var", "a=1", "--var", "a=2"], "--var", "'a' is given twice"),
        (["--var", "big=" + "x" * 17000], "--var", "the API takes at most 16384 (16 KiB)"),
        (["--ringing-timeout-seconds", "4"], "--ringing-timeout-seconds", "5<=x<=80"),
        (["--max-call-duration-minutes", "0"], "--max-call-duration-minutes", "x>=1"),
    ],
)
def test_bad_input_is_refused_before_sending(
    cli: Invoke, fake: FakeCartesia, args: list[str], option: str, says: str
) -> None:
    base = ["--to", "+14155550101"] if args[0] != "--to" else []
    message = usage_error(cli("create", *REQUIRED, *base, *args))
    assert f"'{option}'" in message
    assert says in message
    assert fake.requests == []


@pytest.mark.parametrize("option", ["--agent-id", "--from-number-id"])
def test_blank_ids_are_refused(cli: Invoke, fake: FakeCartesia, option: str) -> None:
    args = {"--agent-id": "a", "--from-number-id": "pn_1", option: " "}
    flat = [part for pair in args.items() for part in pair]
    message = usage_error(cli("create", *flat, "--to", "+14155550101"))
    assert f"'{option}': must not be empty" in message
    assert fake.requests == []


def test_create_needs_a_number(cli: Invoke) -> None:
    assert "Missing option '--to'" in usage_error(cli("create", *REQUIRED))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),
        ("-7", -7),
        ("0", 0),
        ("3.5", 3.5),
        ("0.1", 0.1),
        ("-2.25", -2.25),
        ("true", True),
        ("FALSE", False),
        ("True", True),
        # Kept as written: a number only when JSON would write it back the same.
        ("007", "007"),
        ("-0", "-0"),
        ("+1", "+1"),
        ("1.50", "1.50"),
        ("1e3", "1e3"),
        (".5", ".5"),
        ("5.", "5."),
        ("0x1F", "0x1F"),
        ("1_000", "1_000"),
        ("nan", "nan"),
        ("inf", "inf"),
        (" 42", " 42"),
        ("18446744073709551616", "18446744073709551616"),  # past 64 bits
        ("yes", "yes"),
        ("", ""),
    ],
)
def test_how_values_are_typed(text: str, value: object) -> None:
    result = typed(text)
    assert result == value
    assert type(result) is type(value)
