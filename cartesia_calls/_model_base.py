"""The models' base class, :class:`Model`, and how a generic model is parameterized.

Every API object (:mod:`._models`) is a frozen, slotted attrs class deriving from :class:`Model`,
which gives it ``from_dict``, ``to_dict``, an ``extra`` dict for keys this SDK does not know yet,
and a ``repr`` that is safe for free-form values of any depth (:mod:`._freeform`).

``Page[AgentCall]``: a generic model's ``__class_getitem__`` calls :func:`parameterize`, which
returns a real subclass (``Page[AgentCall]``, cached, one per set of arguments) instead of a
``typing`` alias. An alias forwards attribute access to its origin, so
``Page[AgentCall].from_dict`` would reach ``Page.from_dict`` and lose ``AgentCall``; a subclass
gets its own ``cls``. It is built with :func:`types.new_class` from the alias, so its
``__orig_bases__`` say ``Page[AgentCall]``: cattrs, the fast path and mypy all read the item
type from there, relying on public typing behaviour only. Decoded pages are instances of it
(``type(page).__qualname__ == "Page[AgentCall]"``, and ``isinstance(page, Page)``).
"""

from __future__ import annotations

import types
from typing import Any, Self

import attrs

from ._codec import structure, unstructure
from ._converter import type_name
from ._freeform import safe_repr

__all__ = ["Model", "parameterize"]


_PARAMETERIZED: dict[Any, type] = {}


def parameterize(alias: Any) -> Any:
    """``Generic.__class_getitem__``'s alias as a cached subclass, so that
    ``Page[AgentCall].from_dict`` structures ``AgentCall``; an alias that still has type
    variables (``Page[T]`` inside generic code) is returned as it is.

    Generic models call it from their ``__class_getitem__``.
    """
    if alias.__parameters__:
        return alias
    cls = _PARAMETERIZED.get(alias)
    if cls is None:
        origin = alias.__origin__

        def body(namespace: dict[str, Any]) -> None:
            # No __dict__ per instance: the subclass stays as slotted as its base.
            namespace.update(__slots__=(), __module__=origin.__module__, __doc__=origin.__doc__)
            namespace["__reduce__"] = _reduce

        # __name__ stays an identifier (cattrs names its generated functions after it).
        cls = types.new_class(origin.__name__, (alias,), exec_body=body)
        cls.__qualname__ = type_name(alias)
        cls = _PARAMETERIZED.setdefault(alias, cls)  # the first one wins a race
    return cls


def _reduce(self: Any) -> tuple[Any, ...]:
    # Pickle knows classes by module and name, which a made-up class cannot be found by: an
    # instance is pickled as its generic model, type arguments and fields, and made again.
    alias = type(self).__orig_bases__[0]
    fields = {a.alias: getattr(self, a.name) for a in attrs.fields(type(self))}
    return _unpickle, (alias.__origin__, alias.__args__, fields)


def _unpickle(origin: Any, args: tuple[Any, ...], fields: dict[str, Any]) -> Any:
    return origin[args](**fields)


@attrs.frozen(repr=False)
class Model:
    """Base of every model: decoding from and encoding to JSON-ready dicts.

    Attributes:
        extra: the JSON keys of the response that this version of the SDK does not know, with
            their raw values (empty when there were none). Written back by :meth:`to_dict`.
    """

    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True, hash=False)

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Build the model from parsed JSON (a ``dict``).

        Raises:
            ResponseDecodeError: ``data`` is not this model: a required field is missing, a value
                has the wrong type, ``data`` is not a dict, or a free-form value nests more than
                100 levels deep. ``.path`` is the JSON path of the first bad value
                (``$.transcript[3].start_timestamp``), ``.errors`` lists them all.
        """
        return structure(data, cls)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready dict: wire names, ``...Z`` datetimes, plain-string enums, no ``None``
        fields (except those the API always sends, ``null`` included, such as
        ``DynamicVariableUpdate.old_value``), ``extra`` merged back in. Free-form objects
        (``metadata``...) are copied one level deep; values nested inside them are shared with
        the model."""
        return unstructure(self)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        parts = [
            f"{a.name}={safe_repr(getattr(self, a.name))}"
            for a in attrs.fields(type(self))
            if a.name != "extra"
        ]
        if self.extra:
            parts.append(f"extra={safe_repr(self.extra)}")
        return f"{type(self).__qualname__}({', '.join(parts)})"
