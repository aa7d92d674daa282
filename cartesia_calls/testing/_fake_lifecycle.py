"""The fake's one clock, and what happens on it: calls that start, take turns and end.

A call seeded with a :class:`Lifecycle` (or placed through the API) moves ``created`` ->
``started`` -> ``completed``/``failed`` as the fake's clock advances: ``fake.advance(seconds)``.
Nothing moves on its own, so tests decide exactly when a call is in which state. A lifecycle's
:class:`ToolStep` s run while the call is in progress: each adds a tool call to the transcript
and assigns dynamic variables, as an agent's tool does. Every change is also sent as a webhook
event when the fake has a ``webhook_url`` (see :mod:`._fake_webhooks`).

The clock is seconds (:attr:`ClockMixin.clock`) from a start time (``clock_start``); every
timestamp the fake writes, for calls and batches alike, is read from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

import attrs

from .._converter import format_datetime
from ._fake_versions import CURRENT, is_legacy_version, render_call, render_turn
from ._fake_webhooks import FakeWebhooks

__all__ = ["ClockMixin", "Lifecycle", "ToolStep"]

#: The statuses a call does not leave.
TERMINAL: Final = frozenset({"completed", "failed", "cancelled"})
#: The ``webhook_id`` of the fake's webhook events.
FAKE_WEBHOOK_ID: Final = "wh_fake"


@attrs.frozen
class ToolStep:
    """A tool call a fake call makes while in progress, assigning dynamic variables.

    When the fake's clock reaches ``at`` seconds after the call started, the fake appends an
    assistant turn whose tool call carries one ``dynamic_variable_updates`` entry per assigned
    variable (old value, new value, when), and the call's ``dynamic_variables`` take the new
    values (so a finished call shows the final ones).

    Attributes:
        at: seconds after the call started.
        name: the tool's name.
        assigns: the dynamic variables it sets (``str``, ``int``, ``float`` or ``bool``).
        arguments: the arguments the agent passed.
        result: what the tool returned.
        tool_id: the configured tool's id.
    """

    at: float
    name: str
    assigns: Mapping[str, Any] = attrs.field(factory=dict)
    arguments: Mapping[str, Any] = attrs.field(factory=dict)
    result: str = '{"ok": true}'
    tool_id: str = "tool_fake"


@attrs.define
class Lifecycle:
    """When a fake call starts and ends, in seconds on the fake's clock, and how it ends.

    Attributes:
        starts_at: clock time at which it becomes ``started`` (``None``: never answered).
        ends_at: clock time at which it ends.
        outcome: ``"completed"`` or ``"failed"``.
        end_reason: the ``end_reason`` it ends with.
        tools: tool calls made while it runs (see :class:`ToolStep`).
        summary: the call's ``summary`` once it has ended (sent as a ``post_call_analysis``
            webhook).
    """

    starts_at: float | None
    ends_at: float
    outcome: str = "completed"
    end_reason: str = "agent_hangup"
    tools: Sequence[ToolStep] = ()
    summary: str | None = None

    def times(self) -> Iterator[float]:
        """Every clock time at which something happens to the call."""
        if self.starts_at is not None:
            yield self.starts_at
            yield from (self.starts_at + step.at for step in self.tools)
        yield self.ends_at


class ClockMixin:
    """The fake's clock, the lifecycles of its calls, and the webhook events they send."""

    #: Stored calls in wire format (what Get Call returns), by id.
    calls: dict[str, dict[str, Any]]
    #: Seconds on the fake's clock since :attr:`clock_start` (see :meth:`advance`).
    clock: float
    #: When the fake's clock started (UTC): the time :meth:`now` gives at ``clock == 0``.
    clock_start: dt.datetime
    #: Where webhook events go, and what became of them (see :class:`FakeWebhooks`).
    webhooks: FakeWebhooks

    def _init_clock(self, clock_start: dt.datetime) -> None:
        self.clock = 0.0
        self.clock_start = clock_start
        self._lifecycles: dict[str, Lifecycle] = {}
        self._tools_done: dict[str, int] = {}
        #: The Cartesia-Version each call was placed under, for the shape of its webhooks.
        self._call_versions: dict[str, str] = {}

    def now(self) -> dt.datetime:
        """The fake clock as a datetime: :attr:`clock_start` plus :attr:`clock` seconds."""
        return self.at(self.clock)

    def at(self, seconds: float) -> dt.datetime:
        """The datetime of ``seconds`` on the fake's clock."""
        return self.clock_start + dt.timedelta(seconds=seconds)

    def _stamp(self, seconds: float | None = None) -> str:
        """A time on the fake's clock (default: now) as the API writes it."""
        return format_datetime(self.at(self.clock if seconds is None else seconds))

    def advance(self, seconds: float) -> None:
        """Move the fake clock forward: scheduled calls start, run their tool steps and end,
        batch recipients are dispatched and follow their calls, and webhook retries that have
        come due are sent.

        Time moves from one scheduled change to the next, so each happens at its own time
        (a call that ends frees its batch slot for the next call then, not at the end).
        """
        if not seconds >= 0:
            raise ValueError(f"the clock only moves forward, got {seconds!r}")
        target = self.clock + seconds
        self._step()
        while True:
            due = min((t for t in self._due_times() if self.clock < t <= target), default=None)
            if due is None:
                break
            self.clock = due
            self._step()
        self.clock = target
        self._step()
        self.webhooks.clock_moved()

    def _due_times(self) -> Iterator[float]:
        """Clock times at which something is scheduled to happen."""
        for life in self._lifecycles.values():
            yield from life.times()

    def _step(self) -> None:
        """Make happen what is due at the current clock time."""
        for call_id in list(self._lifecycles):
            self._apply_lifecycle(call_id)

    async def sleep(self, seconds: float) -> None:
        """An async sleep that advances the fake clock instead of waiting: pass it as
        ``Backoff(sleep=fake.sleep)`` to run polling code instantly."""
        self.advance(seconds)

    def _apply_lifecycle(self, call_id: str) -> None:
        life = self._lifecycles.get(call_id)
        call = self.calls.get(call_id)
        if life is None or call is None:
            return
        if (
            life.starts_at is not None
            and self.clock >= life.starts_at
            and call["status"] == "created"
        ):
            call["status"] = "started"
            call["start_time"] = self._stamp(life.starts_at)
            self._send_call_event("call_started", call, life.starts_at)
        if life.starts_at is not None and call["status"] == "started":
            done = self._tools_done.get(call_id, 0)
            for step in life.tools[done:]:
                at = life.starts_at + step.at
                if min(self.clock, life.ends_at) < at:
                    break
                turn = _run_tool(call, step, done)
                done += 1
                self._send_turn_event(call, turn, at)
            self._tools_done[call_id] = done
        if self.clock >= life.ends_at and call["status"] not in TERMINAL:
            self._end_call(call, life.outcome, life.end_reason, life.ends_at, life.summary)

    def _end_call(
        self,
        call: dict[str, Any],
        outcome: str,
        reason: str,
        at: float,
        summary: str | None = None,
    ) -> None:
        call["status"] = outcome
        call["end_reason"] = reason
        call["end_time"] = self._stamp(at)
        if summary is not None:
            call["summary"] = summary
        self._lifecycles.pop(call["id"], None)
        self._send_end_events(call, at)

    # -- webhook events -----------------------------------------------------------------------

    def _send_end_events(self, call: Mapping[str, Any], at: float) -> None:
        """``call_completed`` (or ``call_failed``), then its analysis if it has a summary."""
        ended = "call_completed" if call.get("status") == "completed" else "call_failed"
        self._send_call_event(ended, call, at)
        if self.webhooks.url is not None and isinstance(call.get("summary"), str):
            self._send(call, at, "post_call_analysis", summary=call["summary"])

    def _send_call_event(self, event_type: str, call: Mapping[str, Any], at: float) -> None:
        if self.webhooks.url is not None:
            self._send(call, at, event_type, call=render_call(call, legacy=self._legacy(call)))

    def _send_turn_event(self, call: Mapping[str, Any], turn: Mapping[str, Any], at: float) -> None:
        if self.webhooks.url is None:
            return
        rendered = render_turn(turn, legacy=self._legacy(call))
        if rendered is not None:  # a 2026-03-01 log turn has no 2026-08-14 form
            self._send(call, at, "call_turn", turn=rendered)

    def _legacy(self, call: Mapping[str, Any]) -> bool:
        return is_legacy_version(self._call_versions.get(call["id"], CURRENT))

    def _send(self, about: Mapping[str, Any], at: float, event_type: str, /, **fields: Any) -> None:
        self.webhooks.send(
            event_type,
            call_id=about["id"],
            agent_id=about.get("agent_id"),
            timestamp=self._stamp(at),
            webhook_id=FAKE_WEBHOOK_ID,
            **fields,
        )


def _run_tool(call: dict[str, Any], step: ToolStep, number: int) -> dict[str, Any]:
    """Append ``step``'s tool call to ``call``'s transcript and apply its assignments;
    returns the new turn."""
    variables = call.setdefault("dynamic_variables", {})
    tool_call_id = f"tc_{call['id'].removeprefix('ac_')}_{number + 1:02d}"
    updates = []
    for name, value in step.assigns.items():
        updates.append(
            {
                "variable_name": name,
                "old_value": variables.get(name),
                "new_value": value,
                "updated_at": float(step.at),
                "tool_id": step.tool_id,
                "tool_call_id": tool_call_id,
            }
        )
        variables[name] = value
    tool_call: dict[str, Any] = {
        "id": tool_call_id,
        "name": step.name,
        "arguments": dict(step.arguments),
        "result": step.result,
    }
    if updates:
        tool_call["dynamic_variable_updates"] = updates
    turn = {
        "role": "assistant",
        "start_timestamp": float(step.at),
        "end_timestamp": float(step.at) + 0.5,
        "tool_calls": [tool_call],
    }
    call.setdefault("transcript", []).append(turn)
    return turn
