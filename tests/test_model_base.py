"""``Page[AgentCall]``: a real, cached subclass of ``Page`` that knows its item type."""

from __future__ import annotations

import copy
import pickle
import typing
from typing import Any, TypeVar

from cartesia_calls._codec import decode
from cartesia_calls._models import AgentCall, CallBatch, Page

CALL = {"id": "ac_1", "agent_id": "agent_1", "status": "completed"}


def test_a_parameterized_page_is_one_subclass_per_item_type() -> None:
    calls: Any = Page[AgentCall]
    assert calls is Page[AgentCall]
    assert calls is not Page[CallBatch]
    assert isinstance(calls, type)
    assert issubclass(calls, Page)
    assert calls.__qualname__ == "Page[AgentCall]"
    assert calls.__module__ == Page.__module__
    assert calls.__doc__ == Page.__doc__


def test_its_instances_are_pages_of_the_item_type() -> None:
    page = Page[AgentCall].from_dict({"data": [CALL], "total": 1})
    assert isinstance(page, Page)
    (call,) = page.data
    assert isinstance(call, AgentCall)
    assert page.extra == {"total": 1}
    assert repr(page).startswith("Page[AgentCall](data=[AgentCall(id='ac_1', ")
    assert not hasattr(page, "__dict__")  # as slotted as Page


def test_in_generic_code_a_page_of_a_type_variable_stays_a_typing_alias() -> None:
    item = TypeVar("item")
    alias: Any = Page[item]  # type: ignore[valid-type]
    assert typing.get_origin(alias) is Page
    assert typing.get_args(alias) == (item,)


def test_pages_survive_pickle_and_copy() -> None:
    page = decode(
        b'{"data": [{"id": "ac_1", "agent_id": "a", "status": "x"}], "z": 1}', Page[AgentCall]
    )
    for again in (pickle.loads(pickle.dumps(page)), copy.copy(page), copy.deepcopy(page)):
        assert type(again) is Page[AgentCall]
        assert again == page
        assert again.extra == {"z": 1}
