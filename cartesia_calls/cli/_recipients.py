"""A batch's recipients from a CSV file, as a spreadsheet exports it, checked before sending.

The first row is the header. Its ``to_number`` column (any case) holds the numbers to call, in
E.164 form (``+14155550123``); every other column is a dynamic variable of that name, typed like
``--var`` (see :mod:`._variables`; a ``name:str`` column keeps its values strings). An empty
cell leaves the variable out for that recipient; rows with nothing in them are skipped. A UTF-8
byte order mark, quoted fields (with commas, quotes or line breaks inside), CRLF line ends,
trailing empty columns, and semicolons or tabs between the cells when the header has no comma
(Excel writes semicolons where the decimal separator is a comma) are all fine.

Every problem is reported with its row number as a spreadsheet shows it (the header is row 1)
and, when it is about one cell, its column letter; all problems are gathered (up to
:data:`MAX_PROBLEMS`) so a file can be fixed in one go. Nothing is sent until the whole file is
good. The limits are the library's: 1 to 5000 recipients, 64 variables of at most 16 KiB each
recipient, names of letters, digits and ``_``.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from ._variables import split_name, typed, variables_problem

__all__ = ["MAX_FILE_BYTES", "MAX_PROBLEMS", "RecipientsError", "read_recipients"]

#: The largest file read (5000 recipients with a few variables take well under a megabyte).
MAX_FILE_BYTES: Final = 64 * 1024 * 1024
#: The most problems listed in one error.
MAX_PROBLEMS: Final = 20
_NUMBER_COLUMN: Final = "to_number"


class RecipientsError(ValueError):
    """The file cannot be a batch's recipients: ``problems`` says why, one line each, every
    line starting with ``row N``."""

    def __init__(self, path: str, problems: Sequence[str], more: int = 0) -> None:
        self.path = path
        self.problems = list(problems)
        self.more = more
        lines = [f"{path}: {problem}" for problem in self.problems]
        if more:
            lines.append(f"... and {more} more {'problem' if more == 1 else 'problems'}")
        super().__init__("\n".join(lines))


def column_letter(index: int) -> str:
    """The spreadsheet name of a 0-based column: A, B, ... Z, AA, AB..."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


class _Problems:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.more = 0

    def add(self, line: str) -> None:
        if len(self.lines) < MAX_PROBLEMS:
            self.lines.append(line)
        else:
            self.more += 1


def _text(path: str) -> str:
    """The file's text (UTF-8, an optional byte order mark dropped), or RecipientsError."""
    target = Path(path)
    with target.open("rb") as file:
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise RecipientsError(path, [f"larger than {MAX_FILE_BYTES:,} bytes: no batch is that big"])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RecipientsError(
            path,
            ["UTF-16 text: save it as CSV in UTF-8 (in Excel: 'CSV UTF-8 (comma delimited)')"],
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RecipientsError(
            path,
            [
                f"line {line}: byte 0x{data[exc.start]:02x} is not UTF-8 text: save the file as "
                "CSV in UTF-8 (in Excel: 'CSV UTF-8 (comma delimited)')"
            ],
        ) from None


def delimiter(text: str) -> str:
    """``,`` unless the header has none and is split by ``;`` (what Excel writes where the
    decimal separator is a comma) or by tabs."""
    header = text.split("\n", 1)[0]
    if "," not in header:
        for other in (";", "\t"):
            if other in header:
                return other
    return ","


def _rows(text: str) -> Iterator[tuple[int, list[str] | csv.Error]]:
    """``(row number, cells)`` for each row; a row the csv module cannot read comes as its
    error (and ends the file: the reader cannot go on after one)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text), strict=True)
    number = 0
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield number, exc
            return
        yield number, row


def _header(
    path: str, row: Sequence[str], problems: _Problems
) -> tuple[int, dict[int, tuple[str, bool]], set[int]]:
    """The header's to_number column, its variables (column -> (name, keep as string)) and its
    unnamed columns."""
    names = [cell.strip() for cell in row]
    numbers = [i for i, name in enumerate(names) if name.lower() == _NUMBER_COLUMN]
    if not numbers:
        found = ", ".join(repr(name) for name in names if name) or "no names"
        raise RecipientsError(
            path,
            [
                f"row 1 (the header) has no {_NUMBER_COLUMN} column (found {found}): name the "
                f"column of numbers to call {_NUMBER_COLUMN}"
            ],
        )
    for extra in numbers[1:]:
        problems.add(
            f"row 1 (the header), column {column_letter(extra)}: a second {_NUMBER_COLUMN} "
            f"column (the first is column {column_letter(numbers[0])})"
        )
    variables: dict[int, tuple[str, bool]] = {}
    unnamed: set[int] = set()
    seen: dict[str, int] = {}
    for index, raw in enumerate(names):
        if index in numbers:
            continue
        if not raw:
            unnamed.add(index)
            continue
        name, as_string = split_name(raw)
        where = f"row 1 (the header), column {column_letter(index)}"
        if name in seen:
            problems.add(f"{where}: {name!r} repeats column {column_letter(seen[name])}")
            continue
        seen[name] = index
        problem = variables_problem({name: ""})
        if problem is not None:
            problems.add(f"{where}: {problem}")
            continue
        variables[index] = (name, as_string)
    from cartesia_calls._validate import MAX_DYNAMIC_VARIABLES  # noqa: PLC0415

    if len(seen) > MAX_DYNAMIC_VARIABLES:
        problems.add(
            f"row 1 (the header): {len(seen)} variable columns, but a call takes at most "
            f"{MAX_DYNAMIC_VARIABLES} dynamic variables"
        )
    return numbers[0], variables, unnamed


def _recipient(
    row: Sequence[str],
    number_column: int,
    variables: dict[int, tuple[str, bool]],
    unnamed: set[int],
    width: int,
) -> tuple[dict[str, Any] | None, list[str]]:
    """One data row as a recipient, or the problems with it (each without the row number)."""
    from cartesia_calls._validate import check_e164  # noqa: PLC0415

    problems: list[str] = []
    extra = [i for i in range(width, len(row)) if row[i]]
    if extra:
        problems.append(
            f"{len(row)} cells, but the header (row 1) has {width} columns (a value in column "
            f"{column_letter(extra[0])}); quote a value that contains a comma"
        )
    for index in sorted(unnamed):
        if index < len(row) and row[index]:
            problems.append(
                f"column {column_letter(index)}: a value in a column with no name in the header"
            )
    cell = row[number_column].strip() if number_column < len(row) else ""
    if not cell:
        problems.append(f"column {column_letter(number_column)}: {_NUMBER_COLUMN} is empty")
    else:
        try:
            check_e164(cell, _NUMBER_COLUMN)
        except ValueError as exc:
            hint = ""
            if cell.isdigit():
                hint = (
                    "; did the spreadsheet drop the '+'? Format the column as text, or write "
                    "the country code after a '+'"
                )
            problems.append(f"column {column_letter(number_column)}: {exc}{hint}")
    values: dict[str, Any] = {}
    for index, (name, as_string) in variables.items():
        text = row[index] if index < len(row) else ""
        if text:  # an empty cell leaves the variable out
            values[name] = text if as_string else typed(text)
    if values:
        problem = variables_problem(values)
        if problem is not None:
            problems.append(problem)
    if problems:
        return None, problems
    recipient: dict[str, Any] = {_NUMBER_COLUMN: cell}
    if values:
        recipient["dynamic_variables"] = values
    return recipient, []


def read_recipients(
    path: str | os.PathLike[str], *, max_recipients: int | None = None
) -> list[dict[str, Any]]:
    """The recipients in a CSV file, as ``batches.create`` takes them.

    Args:
        path: the CSV file.
        max_recipients: the most recipients allowed (default: the API's limit for one batch,
            from the library).

    Returns:
        ``{"to_number": ..., "dynamic_variables": {...}}`` for each row with something in it, in
        file order (``dynamic_variables`` only when the row has a value).

    Raises:
        RecipientsError: the file is empty, has no recipients or too many, or has problems
            (every one gathered, each with its row number).
        OSError: the file cannot be read.
    """
    from cartesia_calls._batches import MAX_RECIPIENTS  # noqa: PLC0415

    limit = MAX_RECIPIENTS if max_recipients is None else max_recipients
    name = os.fspath(path)
    rows = _rows(_text(name))
    problems = _Problems()
    _, header = next(rows, (1, []))
    if isinstance(header, csv.Error):
        raise RecipientsError(name, [f"row 1: not readable as CSV ({header})"])
    if not any(cell.strip() for cell in header):
        empty = "row 1: the file is empty" if not header else "row 1 is empty"
        raise RecipientsError(
            name,
            [
                f"{empty}; the first row must be a header naming the columns, with a "
                f"{_NUMBER_COLUMN} column for the numbers to call"
            ],
        )
    number_column, variables, unnamed = _header(name, header, problems)
    if problems.lines:  # the columns are not what they should be: the rows cannot be read
        raise RecipientsError(name, problems.lines, problems.more)
    recipients: list[dict[str, Any]] = []
    count = 0
    for number, row in rows:
        if isinstance(row, csv.Error):
            problems.add(f"row {number}: not readable as CSV ({row}); nothing after it was read")
            break
        if not any(cell.strip() for cell in row):
            continue  # a blank row, as spreadsheets leave at the end
        count += 1
        if count > limit:
            problems.add(
                f"row {number}: recipient {count:,}, but a batch takes at most {limit:,} "
                "recipients: split the file"
            )
            break
        recipient, found = _recipient(row, number_column, variables, unnamed, len(header))
        for problem in found:
            sep = ", " if problem.startswith("column ") else ": "
            problems.add(f"row {number}{sep}{problem}")
        if recipient is not None:
            recipients.append(recipient)
    if count == 0 and not problems.lines:
        problems.add("row 1 (the header) is the only row: no recipients to call")
    if problems.lines:
        raise RecipientsError(name, problems.lines, problems.more)
    return recipients
