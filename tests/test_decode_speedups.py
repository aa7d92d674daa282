"""What the decode's speed-ups must not change: the models a user gets, and the garbage collector.

The fast path fills a mutable twin of each model and turns it into the model at the end
(``_fastpath._twin``), and big bodies are decoded with the cyclic garbage collector paused
(``_codec._gc_paused``). Neither may leak: decoded models are ordinary frozen instances of
their class, and the collector is left as it was found, whatever happens during the decode.
"""

from __future__ import annotations

import gc
import pickle
import threading
from collections.abc import Iterator
from typing import Any

import attrs
import orjson
import pytest

from cartesia_calls import _codec
from cartesia_calls._codec import PAUSE_GC_FROM, decode
from cartesia_calls._models import AgentCall, Page, TextChunk, TranscriptTurn
from cartesia_calls.errors import ResponseDecodeError
from cartesia_calls.testing import make_call

BIG = orjson.dumps(make_call("ac_big", turns=600).to_dict())
SMALL = orjson.dumps(make_call("ac_small", turns=3).to_dict())


@pytest.fixture(autouse=True)
def gc_enabled_again() -> Iterator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:  # pragma: no cover - pytest runs with the collector on
        gc.disable()


def test_the_bodies_are_on_either_side_of_the_threshold() -> None:
    assert len(BIG) >= PAUSE_GC_FROM > len(SMALL)


def test_decoded_models_are_ordinary_frozen_instances() -> None:
    call = decode(BIG, AgentCall)
    turn = call.transcript[0]  # type: ignore[index]
    chunk = turn.text_chunks[0]  # type: ignore[index]
    for model, cls in ((call, AgentCall), (turn, TranscriptTurn), (chunk, TextChunk)):
        assert type(model) is cls
        assert not hasattr(model, "__dict__")
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            model.extra = {}  # type: ignore[misc]
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            del model.extra
    assert call == AgentCall.from_dict(orjson.loads(BIG))
    assert pickle.loads(pickle.dumps(call)) == call
    page = decode(b'{"data": [' + SMALL + b'], "z": 1}', Page[AgentCall])
    assert type(page) is Page[AgentCall]
    assert page.extra == {"z": 1}


def test_the_collector_is_paused_only_while_a_big_body_is_decoded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[bool] = []
    build = _codec._build

    def watching(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return build(*args, **kwargs)

    monkeypatch.setattr(_codec, "_build", watching)
    decode(BIG, AgentCall)
    decode(SMALL, AgentCall)
    assert seen == [False, True]
    assert gc.isenabled()


def test_the_collector_is_enabled_again_when_the_decode_fails() -> None:
    broken = BIG.replace(b'"start_timestamp":', b'"start_timestamp":"x","was":', 1)
    with pytest.raises(ResponseDecodeError) as info:
        decode(broken, AgentCall)
    assert info.value.path == "$.transcript[0].start_timestamp"
    assert gc.isenabled()
    with pytest.raises(ResponseDecodeError):
        decode(BIG[:-1], AgentCall)  # not JSON
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    decode(BIG, AgentCall)
    assert not gc.isenabled()


def test_overlapping_decodes_enable_the_collector_when_the_last_one_ends() -> None:
    # Two threads' decodes overlap: the first to end must not switch the collector back on
    # under the other.
    inside, release = threading.Event(), threading.Event()
    states: list[bool] = []
    with _codec._gc_paused():

        def other() -> None:
            with _codec._gc_paused():
                inside.set()
                release.wait(5)
            states.append(gc.isenabled())

        thread = threading.Thread(target=other)
        thread.start()
        assert inside.wait(5)
        release.set()
        thread.join(5)
        states.append(gc.isenabled())
    states.append(gc.isenabled())
    assert states == [False, False, True]
