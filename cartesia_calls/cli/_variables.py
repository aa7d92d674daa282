"""Dynamic variables typed on the command line (``--var name=value``) or read from a CSV cell.

The rule, the same for both: ``true`` and ``false`` (in any case: spreadsheets write ``TRUE``)
are booleans; a number written the way JSON writes it (``42``, ``-7``, ``3.5``) is an int or a
float; anything else is a string, exactly as written. A number is taken only when writing it
back gives the same text, so nothing typed is altered: ``007``, ``1.50``, ``1e3``, ``+1``,
``0x1F`` and integers beyond 64 bits stay strings. ``name:str`` (``--var zip:str=94103``, or a
``zip:str`` column) keeps a value a string whatever it looks like.

The names and the values are checked by the library's rules
(:func:`cartesia_calls._validate.check_dynamic_variables`), imported only when needed.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

import click

__all__ = [
    "STRING_SUFFIX",
    "VariableOption",
    "collect_variables",
    "split_name",
    "typed",
    "variables_problem",
]

#: ``name:str`` keeps the value a string.
STRING_SUFFIX: Final = ":str"
_INT: Final = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT: Final = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")
_BOOLS: Final = {"true": True, "false": False}
# What the SDK can send as a JSON integer (orjson's range).
_INT_RANGE: Final = (-(2**63), 2**64 - 1)


def typed(text: str) -> str | int | float | bool:
    """The value ``text`` stands for: a bool, an int, a float, or ``text`` itself."""
    lowered = text.lower()
    if lowered in _BOOLS:
        return _BOOLS[lowered]
    if _INT.fullmatch(text):
        number = int(text)
        if _INT_RANGE[0] <= number <= _INT_RANGE[1] and str(number) == text:  # not -0
            return number
    elif _FLOAT.fullmatch(text):
        value = float(text)
        if math.isfinite(value) and repr(value) == text:
            return value
    return text


def split_name(name: str) -> tuple[str, bool]:
    """``("zip", True)`` from ``"zip:str"``: the variable's name and whether it stays a string."""
    if name.endswith(STRING_SUFFIX):
        return name.removesuffix(STRING_SUFFIX), True
    return name, False


def variables_problem(variables: dict[str, Any]) -> str | None:
    """What breaks the API's rules in ``variables`` (one sentence), or ``None``.

    The library's check names the value as ``<where>.dynamic_variables``; the sentence names it
    ``dynamic_variables`` (the callers say where).
    """
    from cartesia_calls._validate import check_dynamic_variables  # noqa: PLC0415

    where = "\0"
    try:
        check_dynamic_variables(variables, where)
    except (ValueError, TypeError) as exc:
        return str(exc).replace(f"{where}.", "")
    return None


class VariableOption(click.ParamType):  # type: ignore[type-arg]  # generic in click 8.2+
    """``--var name=value`` (repeatable): one ``(name, value)`` pair, the value typed."""

    name = "name=value"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """``("first_name", "Ada")`` from ``"first_name=Ada"``; ``("n", 3)`` from ``"n=3"``."""
        if isinstance(value, tuple):
            return value
        name, equals, text = str(value).partition("=")
        if not equals:
            self.fail(f"{value!r} is not name=value (for example first_name=Ada)", param, ctx)
        name, as_string = split_name(name.strip())
        item = text if as_string else typed(text)
        problem = variables_problem({name: item})
        if problem is not None:
            self.fail(problem, param, ctx)
        return name, item


def collect_variables(
    ctx: click.Context, param: click.Parameter, pairs: tuple[tuple[str, Any], ...]
) -> dict[str, Any] | None:
    """The click callback of a repeatable ``--var``: a dict, a name given twice refused, and the
    API's rules on the whole (count, size) checked."""
    variables: dict[str, Any] = {}
    for name, value in pairs:
        if name in variables:
            raise click.BadParameter(f"{name!r} is given twice", ctx, param)
        variables[name] = value
    if not variables:
        return None
    problem = variables_problem(variables)
    if problem is not None:
        raise click.BadParameter(problem, ctx, param)
    return variables
