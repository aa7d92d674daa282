"""DataFrames of calls, turns and batches: the rows users analyse in notebooks.

The calls are seeded in the fake and fetched through the clients (the plugin's fixtures), so
what is checked is what a notebook gets: values, column order and dtypes, compared whole with
``pandas.testing.assert_frame_equal``.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from typing import Any

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from cartesia_calls import AgentCall, AsyncClient, CallBatch, CallStatus, Client, frames
from cartesia_calls.frames import batches_frame, calls_frame, turns_frame
from cartesia_calls.testing import FakeCartesia
from tests.test_docs import _documented_names

from .helpers import turn

UTC = dt.UTC
INSTALL = re.escape('pip install "cartesia-calls[pandas]"')


def tool(name: str) -> dict[str, Any]:
    return {"id": f"tc_{name}", "name": name, "arguments": {}, "result": "ok"}


def seed(fake: FakeCartesia) -> None:
    """Two calls of agent_1, the newer one rich, the older one bare; and another agent's."""
    fake.add_call(
        id="ac_rich",
        agent_id="agent_1",
        agent_name="Front desk",
        status="completed",
        end_reason="agent_hangup",
        start_time="2026-03-01T12:00:00Z",
        end_time="2026-03-01T12:01:30.5Z",
        telephony_params={"direction": "inbound", "from": "+14155550123", "to": "+14155550100"},
        dynamic_variables={"customer": "Ada", "tier": 2},
        metadata={"clinic": "mission"},  # 2026-03-01 only: see the pinned test below
        transcript=[
            turn("assistant", 0.5, 2.0, "Hello!", tts_ttfb=0.2),
            turn("user", 2.5, 3.0, "Move my appointment.", stt_ttfb=0.1),
            turn(
                "assistant",
                3.5,
                6.0,
                "Done.",
                tts_ttfb=0.4,
                tool_calls=[tool("find_slot"), tool("book")],
            ),
            turn("user", 6.5, 7.0, "Thanks.", stt_ttfb=0.3),
        ],
    )
    fake.add_call(
        id="ac_bare",
        agent_id="agent_1",
        status="transferring",  # a status this SDK does not know yet
        start_time="2026-03-01T11:00:00+02:00",  # 09:00 UTC
        dynamic_variables={"customer": "Bob", "vip": True},
        transcript=[],
    )
    fake.add_call(id="ac_other", agent_id="agent_2", status="completed")


def expected_calls() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": pd.Series(["ac_rich", "ac_bare"], dtype="string"),
            "agent_id": pd.Series(["agent_1", "agent_1"], dtype="string"),
            "agent_name": pd.Series(["Front desk", None], dtype="string"),
            "status": pd.Series(["completed", "transferring"], dtype="string"),
            "end_reason": pd.Series(["agent_hangup", None], dtype="string"),
            "start_time": pd.Series(
                [dt.datetime(2026, 3, 1, 12, tzinfo=UTC), dt.datetime(2026, 3, 1, 9, tzinfo=UTC)],
                dtype="datetime64[us, UTC]",
            ),
            "end_time": pd.Series(
                [dt.datetime(2026, 3, 1, 12, 1, 30, 500000, tzinfo=UTC), None],
                dtype="datetime64[us, UTC]",
            ),
            "duration_s": pd.Series([90.5, None], dtype="float64"),
            "direction": pd.Series(["inbound", None], dtype="string"),
            "from_number": pd.Series(["+14155550123", None], dtype="string"),
            "to_number": pd.Series(["+14155550100", None], dtype="string"),
            "turns": pd.Series([4, 0], dtype="Int64"),
            "stt_ttfb_mean": pd.Series([0.2, None], dtype="float64"),
            "stt_ttfb_max": pd.Series([0.3, None], dtype="float64"),
            "tts_ttfb_mean": pd.Series([0.3, None], dtype="float64"),
            "tts_ttfb_max": pd.Series([0.4, None], dtype="float64"),
            "tool_calls": pd.Series([2, 0], dtype="Int64"),
            "var.customer": pd.Series(["Ada", "Bob"], dtype=object),
            "var.tier": pd.Series([2, None], dtype=object),
            "var.vip": pd.Series([None, True], dtype=object),
        }
    )


@pytest.fixture
def fake(cartesia_fake: FakeCartesia) -> FakeCartesia:
    seed(cartesia_fake)
    return cartesia_fake


def agent_calls(client: Client) -> list[AgentCall]:
    return client.calls.list(agent_id="agent_1", expand_transcript=True).to_list()


def test_calls_frame_has_one_row_per_call(fake: FakeCartesia, cartesia_sync_client: Client) -> None:
    frame = calls_frame(agent_calls(cartesia_sync_client))
    assert_frame_equal(frame, expected_calls())
    assert type(frame.loc[1, "status"]) is str  # an unknown status, as a plain string


def test_pager_to_pandas_is_the_calls_frame(
    fake: FakeCartesia, cartesia_sync_client: Client
) -> None:
    pager = cartesia_sync_client.calls.list(agent_id="agent_1", expand_transcript=True, limit=1)
    assert_frame_equal(pager.to_pandas(), expected_calls())
    assert_frame_equal(pager.to_pandas(limit=1), expected_calls().iloc[:1].drop(columns="var.vip"))
    # limit=1 stopped after the first page of one call.
    assert fake.request_count("GET", "/agents/calls") == 2 + 1


async def test_async_pager_to_pandas(fake: FakeCartesia, cartesia_client: AsyncClient) -> None:
    frame = await cartesia_client.calls.list(agent_id="agent_1", expand_transcript=True).to_pandas()
    assert_frame_equal(frame, expected_calls())


def test_under_2026_03_01_metadata_keys_become_columns(fake: FakeCartesia) -> None:
    with Client(
        api_key=fake.api_key, base_url=fake.base_url, cartesia_version="2026-03-01"
    ) as client:
        frame = client.calls.list(agent_id="agent_1").to_pandas()
    assert frame["metadata.clinic"].tolist() == ["mission", None]
    # Dynamic variables are a 2026-08-14 field: this version's answers do not carry them.
    assert not [column for column in frame.columns if column.startswith("var.")]


def test_calls_listed_without_transcripts_have_no_turn_counts(
    fake: FakeCartesia, cartesia_sync_client: Client
) -> None:
    frame = cartesia_sync_client.calls.list(agent_id="agent_1").to_pandas()
    assert frame["turns"].isna().all()
    assert frame["tool_calls"].isna().all()
    assert frame["tts_ttfb_mean"].isna().all()
    assert frame["duration_s"].tolist()[0] == 90.5


def test_turns_frame_has_one_row_per_turn(fake: FakeCartesia, cartesia_sync_client: Client) -> None:
    frame = turns_frame(agent_calls(cartesia_sync_client))
    nan = None
    expected = pd.DataFrame(
        {
            "call_id": pd.Series(["ac_rich"] * 4, dtype="string"),
            "turn": pd.Series([0, 1, 2, 3], dtype="int64"),
            "role": pd.Series(["assistant", "user", "assistant", "user"], dtype="string"),
            "text": pd.Series(
                ["Hello!", "Move my appointment.", "Done.", "Thanks."], dtype="string"
            ),
            "start_timestamp": pd.Series([0.5, 2.5, 3.5, 6.5], dtype="float64"),
            "end_timestamp": pd.Series([2.0, 3.0, 6.0, 7.0], dtype="float64"),
            "stt_ttfb": pd.Series([nan, 0.1, nan, 0.3], dtype="float64"),
            "tts_ttfb": pd.Series([0.2, nan, 0.4, nan], dtype="float64"),
            "tool_names": pd.Series([[], [], ["find_slot", "book"], []], dtype=object),
        }
    )
    assert_frame_equal(frame, expected)
    # One row per tool call, as the docstring promises.
    assert frame.explode("tool_names")["tool_names"].dropna().tolist() == ["find_slot", "book"]


def test_frames_of_no_calls_have_the_same_columns_and_dtypes(
    fake: FakeCartesia, cartesia_sync_client: Client
) -> None:
    calls = agent_calls(cartesia_sync_client)
    full_calls, full_turns = calls_frame(calls), turns_frame(calls)
    fixed = full_calls.columns[: full_calls.columns.get_loc("var.customer")]
    for empty in (calls_frame([]), cartesia_sync_client.calls.list(agent_id="nobody").to_pandas()):
        assert empty.empty
        assert list(empty.columns) == list(fixed)
        assert empty.dtypes.equals(full_calls.dtypes[fixed])
    assert turns_frame([]).empty
    assert turns_frame([]).dtypes.equals(full_turns.dtypes)


def test_any_iterable_of_calls(fake: FakeCartesia, cartesia_sync_client: Client) -> None:
    calls = agent_calls(cartesia_sync_client)
    expected = calls_frame(calls)
    pager = cartesia_sync_client.calls.list(agent_id="agent_1", expand_transcript=True)
    assert_frame_equal(calls_frame(call for call in calls), expected)
    assert_frame_equal(calls_frame(tuple(calls)), expected)
    assert_frame_equal(calls_frame(pager), expected)
    assert_frame_equal(turns_frame(pager), turns_frame(calls))


def test_batches_frame(cartesia_fake: FakeCartesia, cartesia_sync_client: Client) -> None:
    cartesia_fake.add_batch(
        id="acb_1",
        name="Reminders",
        agent_id="agent_1",
        created_at="2026-03-01T10:00:00Z",
        recipients=["+14155550123", "+14155550124"],
    )
    cartesia_fake.dial_batch("acb_1", outcomes={"+14155550124": "no_answer"})
    listed = cartesia_sync_client.batches.list().to_pandas()
    got = batches_frame([cartesia_sync_client.batches.get("acb_1")])
    for frame in (listed, got):
        row = frame.iloc[0]
        assert list(frame.columns[:6]) == [
            "id",
            "name",
            "agent_id",
            "from_number_id",
            "region",
            "status",
        ]
        assert (row["id"], row["name"], row["status"], row["region"]) == (
            "acb_1",
            "Reminders",
            "completed",
            "US",
        )
        assert (row["total_calls_scheduled"], row["total_calls_finished"]) == (2, 2)
        assert row["created_at"] == pd.Timestamp("2026-03-01T10:00:00Z")
        assert str(frame.dtypes["created_at"]) == "datetime64[us, UTC]"
    # Lists carry no recipients; Get Call Batch does.
    assert listed["recipients"].isna().tolist() == [True]
    assert got.loc[0, "recipients"] == 2
    empty = cartesia_sync_client.batches.list(agent_id="agent_nobody").to_pandas()
    assert empty.empty
    assert list(empty.columns) == list(listed.columns)
    assert empty.dtypes.equals(listed.dtypes)


def test_far_dates_from_a_server_do_not_overflow() -> None:
    call = AgentCall.from_dict(
        {
            "id": "ac_1",
            "agent_id": "agent_1",
            "status": "completed",
            "start_time": "0001-01-01T00:00:00Z",
            "end_time": "9999-12-31T23:59:59Z",
        }
    )
    frame = calls_frame([call])
    assert frame["end_time"].dt.year.tolist() == [9999]
    assert frame["start_time"].dt.year.tolist() == [1]


def test_times_of_calls_built_in_code_come_out_in_utc() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    aware = AgentCall(
        id="ac_1",
        agent_id="agent_1",
        status=CallStatus.COMPLETED,
        start_time=dt.datetime(2026, 3, 1, 13, 0, tzinfo=paris),
        end_time=dt.datetime(2026, 3, 1, 13, 0, 30, tzinfo=paris),
    )
    naive = AgentCall(  # taken as UTC, as the SDK writes naive datetimes
        id="ac_2",
        agent_id="agent_1",
        status=CallStatus.COMPLETED,
        start_time=dt.datetime(2026, 3, 1, 12, 0),
    )
    frame = calls_frame([aware, naive])
    assert frame["start_time"].tolist() == [pd.Timestamp("2026-03-01T12:00:00Z")] * 2
    assert frame["duration_s"].tolist()[0] == 30.0


@pytest.mark.parametrize("function", [calls_frame, turns_frame])
async def test_what_is_not_an_iterable_of_calls_is_a_type_error(
    function: Any, cartesia_fake: FakeCartesia, cartesia_client: AsyncClient
) -> None:
    call = AgentCall(id="ac_1", agent_id="agent_1", status=CallStatus.COMPLETED)
    name = function.__name__
    with pytest.raises(TypeError, match=rf"{name}\(\) takes an iterable of AgentCall, not one"):
        function(call)
    with pytest.raises(TypeError, match=r"item 1 is a dict \(parsed JSON\? AgentCall.from_dict"):
        function([call, {"id": "ac_2"}])
    with pytest.raises(TypeError, match="item 0 is a CallBatch"):
        function([CallBatch(id="acb_1")])
    with pytest.raises(TypeError, match=r"takes an iterable of AgentCall, got int"):
        function(3)
    with pytest.raises(TypeError, match=r"await pager.to_pandas\(\)"):
        function(cartesia_client.calls.list(agent_id="agent_1"))
    assert cartesia_fake.requests == []


def test_batches_frame_takes_batches() -> None:
    call = AgentCall(id="ac_1", agent_id="a", status=CallStatus.COMPLETED)
    with pytest.raises(TypeError, match="batches_frame\\(\\) takes CallBatch objects; item 0"):
        batches_frame([call])  # type: ignore[list-item]


def test_an_error_raised_while_iterating_is_not_reworded() -> None:
    def calls() -> Any:
        yield AgentCall(id="ac_1", agent_id="a", status=CallStatus.COMPLETED)
        raise TypeError("the caller's own bug")

    with pytest.raises(TypeError, match="the caller's own bug"):
        calls_frame(calls())


# -- without pandas ------------------------------------------------------------------------------


@pytest.fixture
def no_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    """pandas as if not installed: ``import pandas`` raises ImportError."""
    monkeypatch.setitem(sys.modules, "pandas", None)


@pytest.mark.usefixtures("no_pandas")
@pytest.mark.parametrize("function", [calls_frame, turns_frame, batches_frame])
def test_without_pandas_the_error_names_the_extra(function: Any) -> None:
    with pytest.raises(ImportError, match=rf"^pandas is not installed: {INSTALL}$") as caught:
        function([])
    assert caught.value.name == "pandas"


@pytest.mark.usefixtures("no_pandas")
def test_without_pandas_to_pandas_fails_before_any_request(
    cartesia_fake: FakeCartesia, cartesia_sync_client: Client
) -> None:
    with pytest.raises(ImportError, match=INSTALL):
        cartesia_sync_client.calls.list(agent_id="agent_1").to_pandas()
    with pytest.raises(ImportError, match=INSTALL):
        cartesia_sync_client.batches.list().to_pandas()
    assert cartesia_fake.requests == []


@pytest.mark.usefixtures("no_pandas")
async def test_without_pandas_async_to_pandas_fails_before_any_request(
    cartesia_fake: FakeCartesia, cartesia_client: AsyncClient
) -> None:
    with pytest.raises(ImportError, match=INSTALL):
        await cartesia_client.calls.list(agent_id="agent_1").to_pandas()
    assert cartesia_fake.requests == []


def test_importing_the_package_does_not_import_pandas() -> None:
    code = (
        "import sys, cartesia_calls, cartesia_calls.frames\n"
        "from cartesia_calls import Client\n"
        "print('pandas' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


def test_the_api_reference_documents_the_frames_module() -> None:
    documented = _documented_names()
    assert "cartesia_calls.frames" in documented
    missing = [name for name in frames.__all__ if f"cartesia_calls.frames.{name}" not in documented]
    assert not missing, f"docs/api.md does not document cartesia_calls.frames: {missing}"
