"""Reading a batch's recipients from a CSV file as spreadsheets export it: every edge case the
docs promise, and every problem reported with its row (the header is row 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cartesia_calls.cli._recipients import (
    MAX_PROBLEMS,
    RecipientsError,
    column_letter,
    read_recipients,
)

A, B = "+14155550101", "+14155550102"


def write(tmp_path: Path, data: str | bytes) -> str:
    path = tmp_path / "people.csv"
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


def problems(tmp_path: Path, data: str | bytes, **options: int) -> list[str]:
    with pytest.raises(RecipientsError) as caught:
        read_recipients(write(tmp_path, data), **options)
    error = caught.value
    assert str(error).splitlines()[0] == f"{error.path}: {error.problems[0]}"
    return error.problems


# -- what a spreadsheet writes ------------------------------------------------------------------


def test_excel_csv_utf8_bom_crlf_quotes(tmp_path: Path) -> None:
    data = (
        b"\xef\xbb\xbfto_number,first_name,greeting\r\n"
        + f'{A},"Ada ""the Countess""","Hello, Ada"\r\n'.encode()
        + f'{B},Zoë,"two\r\nlines"\r\n'.encode()
    )
    assert read_recipients(write(tmp_path, data)) == [
        {
            "to_number": A,
            "dynamic_variables": {"first_name": 'Ada "the Countess"', "greeting": "Hello, Ada"},
        },
        {"to_number": B, "dynamic_variables": {"first_name": "Zoë", "greeting": "two\r\nlines"}},
    ]


def test_empty_cells_blank_rows_and_trailing_columns(tmp_path: Path) -> None:
    data = f"to_number,first_name,visits,,\n{A},,3,,\n,,,,\n\n{B},Grace,,,\n,,,,\n"
    assert read_recipients(write(tmp_path, data)) == [
        {"to_number": A, "dynamic_variables": {"visits": 3}},
        {"to_number": B, "dynamic_variables": {"first_name": "Grace"}},
    ]


def test_values_are_typed_and_string_columns_kept(tmp_path: Path) -> None:
    data = f"To_Number , n,x,ok,zip:str,code\n {A} ,42,1.50,TRUE,94103,007\n"
    assert read_recipients(write(tmp_path, data)) == [
        {
            "to_number": A,
            "dynamic_variables": {"n": 42, "x": "1.50", "ok": True, "zip": "94103", "code": "007"},
        }
    ]


def test_only_numbers(tmp_path: Path) -> None:
    assert read_recipients(write(tmp_path, f"to_number\n{A}\n{B}")) == [
        {"to_number": A},
        {"to_number": B},
    ]


def test_exactly_the_limit_is_fine(tmp_path: Path) -> None:
    rows = "".join(f"+1415555{i:04d}\n" for i in range(5000))
    assert len(read_recipients(write(tmp_path, "to_number\n" + rows))) == 5000


# -- what is wrong, row by row ------------------------------------------------------------------


def test_a_bad_number_names_its_row_as_a_spreadsheet_counts_it(tmp_path: Path) -> None:
    # Row 2 spans two lines of the file: row 3 is still row 3.
    data = f'to_number,note\n{A},"one\ntwo"\n555-0102,x\n'
    assert problems(tmp_path, data) == [
        "row 3, column A: to_number must be an E.164 phone number like '+14155550123' (a '+', "
        "the country code, then up to 15 digits), got '555-0102'"
    ]


def test_a_number_whose_plus_was_dropped_gets_a_hint(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, "name,to_number\nAda,14155550101\n")
    assert problem.startswith("row 2, column B: to_number must be an E.164 phone number")
    assert problem.endswith("did the spreadsheet drop the '+'? Format the column as text, "
                            "or write the country code after a '+'")  # fmt: skip


def test_too_many_columns(tmp_path: Path) -> None:
    data = f"to_number,name\n{A},Ada\n{B},Smith, Grace\n"
    assert problems(tmp_path, data) == [
        "row 3: 3 cells, but the header (row 1) has 2 columns (a value in column C); quote a "
        "value that contains a comma"
    ]


def test_missing_to_number_column(tmp_path: Path) -> None:
    assert problems(tmp_path, f"phone,name\n{A},Ada\n") == [
        "row 1 (the header) has no to_number column (found 'phone', 'name'): name the column "
        "of numbers to call to_number"
    ]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "row 1: the file is empty; the first row must be a header naming the columns"),
        (b"\xef\xbb\xbf", "row 1: the file is empty;"),
        (b",,\r\n+14155550101,,\r\n", "row 1 is empty; the first row must be a header"),
        (b"to_number\r\n", "row 1 (the header) is the only row: no recipients to call"),
        (b"to_number\r\n,\r\n\r\n", "row 1 (the header) is the only row: no recipients to call"),
    ],
)
def test_empty_files(tmp_path: Path, data: bytes, problem: str) -> None:
    [found] = problems(tmp_path, data)
    assert found.startswith(problem)


def test_more_than_5000_rows(tmp_path: Path) -> None:
    rows = "".join(f"+1415555{i:04d}\n" for i in range(5001))
    assert problems(tmp_path, "to_number\n\n" + rows) == [
        "row 5003: recipient 5,001, but a batch takes at most 5,000 recipients: split the file"
    ]


def test_a_smaller_limit(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, f"to_number\n{A}\n{B}\n", max_recipients=1)
    assert problem.startswith("row 3: recipient 2, but a batch takes at most 1 recipients")


def test_a_cell_in_an_unnamed_column(tmp_path: Path) -> None:
    assert problems(tmp_path, f"to_number,,name\n{A},oops,Ada\n") == [
        "row 2, column B: a value in a column with no name in the header"
    ]


def test_an_empty_number(tmp_path: Path) -> None:
    assert problems(tmp_path, f"to_number,name\n{A},Ada\n ,Grace\n") == [
        "row 3, column A: to_number is empty"
    ]


def test_header_problems(tmp_path: Path) -> None:
    data = f"to_number,first name,a,a,system__x,TO_NUMBER\n{A},1,2,3,4,{B}\n"
    assert problems(tmp_path, data) == [
        "row 1 (the header), column F: a second to_number column (the first is column A)",
        "row 1 (the header), column B: dynamic_variables['first name']: a name is 1 to 64 "
        "letters, digits or underscores, starting with a letter or an underscore",
        "row 1 (the header), column D: 'a' repeats column C",
        "row 1 (the header), column E: dynamic_variables['system__x']: names starting with "
        "'system__' are reserved",
    ]


def test_too_many_variable_columns(tmp_path: Path) -> None:
    names = ",".join(f"v{i}" for i in range(65))
    assert problems(tmp_path, f"to_number,{names}\n{A}\n") == [
        "row 1 (the header): 65 variable columns, but a call takes at most 64 dynamic variables"
    ]


def test_variables_too_big_for_one_call(tmp_path: Path) -> None:
    data = f"to_number,a,b\n{A},x,y\n{B},{'x' * 9000},{'y' * 9000}\n"
    [problem] = problems(tmp_path, data)
    assert problem.startswith("row 3: dynamic_variables is 18")
    assert problem.endswith("bytes as JSON; the API takes at most 16384 (16 KiB)")


def test_an_unclosed_quote(tmp_path: Path) -> None:
    data = f'to_number,name\n{A},Ada\n{B},"Grace\n'
    assert problems(tmp_path, data) == [
        "row 3: not readable as CSV (unexpected end of data); nothing after it was read"
    ]


def test_every_problem_is_gathered_up_to_a_limit(tmp_path: Path) -> None:
    rows = "".join(f"bad{i}\n" for i in range(MAX_PROBLEMS + 5))
    with pytest.raises(RecipientsError) as caught:
        read_recipients(write(tmp_path, "to_number\n" + rows))
    error = caught.value
    assert len(error.problems) == MAX_PROBLEMS
    assert error.more == 5
    assert [p.split(",")[0] for p in error.problems[:3]] == ["row 2", "row 3", "row 4"]
    assert str(error).endswith("... and 5 more problems")


def test_not_utf8(tmp_path: Path) -> None:
    data = f"to_number,name\n{A},Ada\n{B},Zo\xeb\n".encode("latin-1")
    assert problems(tmp_path, data) == [
        "line 3: byte 0xeb is not UTF-8 text: save the file as CSV in UTF-8 (in Excel: "
        "'CSV UTF-8 (comma delimited)')"
    ]


def test_utf16(tmp_path: Path) -> None:
    data = f"to_number\n{A}\n".encode("utf-16")
    assert problems(tmp_path, data) == [
        "UTF-16 text: save it as CSV in UTF-8 (in Excel: 'CSV UTF-8 (comma delimited)')"
    ]


def test_a_huge_file_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cartesia_calls.cli._recipients.MAX_FILE_BYTES", 64)
    assert problems(tmp_path, "to_number\n" + f"{A}\n" * 10) == [
        "larger than 64 bytes: no batch is that big"
    ]


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_recipients(tmp_path / "nope.csv")


@pytest.mark.parametrize(
    ("index", "letter"), [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ")]
)
def test_column_letters(index: int, letter: str) -> None:
    assert column_letter(index) == letter


@pytest.mark.parametrize("separator", [";", "\t"])
def test_semicolons_or_tabs_when_the_header_has_no_comma(tmp_path: Path, separator: str) -> None:
    data = f"to_number{separator}note{separator}price\r\n{A}{separator}Hi, Ada{separator}12,5\r\n"
    assert read_recipients(write(tmp_path, data)) == [
        {"to_number": A, "dynamic_variables": {"note": "Hi, Ada", "price": "12,5"}}
    ]
