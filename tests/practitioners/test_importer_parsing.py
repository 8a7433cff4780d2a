"""Pure parsing behind the importers (CSV, fields, the NPPES layout): no database.

The board roster's parsing is tested in tests/verification/test_roster_parsing.py."""

import datetime
import io

import pytest

from practitioners.importers.csvfile import HeaderError, StreamingCsv, header_index
from practitioners.importers.fields import format_phone, parse_date, tidy_address, tidy_name, too_long, zip5
from practitioners.importers.nppes import NPPES_COLUMNS, npi_is_valid, with_check_digit


@pytest.mark.parametrize(
    "text",
    [
        "2026-10-31",
        "2026-10-31T00:00:00",
        "2026-10-31T00:00:00.000",
        "10/31/2026",
        "10/31/26",
        "10-31-2026",
        "2026/10/31",
        "20261031",
        "31-Oct-2026",
        "Oct 31, 2026",
        "October 31, 2026",
        " 10/31/2026 ",
    ],
)
def test_parse_date_accepts_the_documented_formats(text):
    assert parse_date(text) == datetime.date(2026, 10, 31)


@pytest.mark.parametrize("text", ["31/31/2026", "2026-02-30", "soon", "10/31", "99999999"])
def test_parse_date_names_the_bad_value(text):
    with pytest.raises(ValueError, match="not in a known format"):
        parse_date(text)


def test_parse_date_empty_is_none():
    assert parse_date("") is None
    assert parse_date("   ") is None


def test_zip5():
    assert zip5("972011234") == "97201"
    assert zip5("97201-1234") == "97201"
    assert zip5("97201") == "97201"
    assert zip5("9720") is None
    assert zip5("A1B 2C3") is None
    assert zip5("") is None


def test_phone_names_addresses():
    assert format_phone("5035550101") == "(503) 555-0101"
    assert format_phone("1-503-555-0101") == "(503) 555-0101"
    assert format_phone("+44 20 7946 0958") == "+44 20 7946 0958"
    assert tidy_name("LINDA   O'BRIEN") == "Linda O'Brien"
    assert tidy_name("Mei Chen-Li") == "Mei Chen-Li"
    assert tidy_address("1500 4TH AVE SW") == "1500 4th Ave SW"


def test_too_long_and_nul():
    assert too_long({"name": "x" * 10_000}, {"name": 200}) == ["name is 10,000 characters long (at most 200 accepted)"]
    assert too_long({"name": "a\x00b"}, {"name": 200}) == ["name contains a NUL byte"]
    assert too_long({"name": "Jane"}, {"name": 200}) == []


def test_npi_check_digit():
    assert npi_is_valid("1234567893")
    assert not npi_is_valid("1234567890")
    assert not npi_is_valid("123456789")
    assert npi_is_valid(with_check_digit("987654321"))


def test_nppes_layout_has_330_unique_columns():
    assert len(NPPES_COLUMNS) == 330
    assert len(set(NPPES_COLUMNS)) == 330
    assert NPPES_COLUMNS[0] == "NPI"
    assert NPPES_COLUMNS[47] == "Healthcare Provider Taxonomy Code_1"


def _reader(data: bytes, problems: list):
    return StreamingCsv(io.BytesIO(data), report=lambda line, msg: problems.append((line, msg)))


def test_csv_reader_reports_short_rows_and_keeps_line_numbers():
    problems = []
    reader = _reader(b'a,b,c\r\n1,2,3\r\n"multi\nline",5,6\r\n7,8\r\n9,10,11\r\n', problems)
    assert reader.header == ["a", "b", "c"]
    rows = list(reader.rows())
    assert rows == [(2, ["1", "2", "3"]), (3, ["multi\nline", "5", "6"]), (6, ["9", "10", "11"])]
    assert problems == [(5, "has 2 fields, expected 3 (truncated?); skipped.")]


def test_csv_reader_falls_back_to_windows_1252_and_says_so():
    problems = []
    reader = _reader(b"name,city\nJos\xe9,Portland\nAna,Bend\nRen\xe9e,Salem\n", problems)
    rows = list(reader.rows())
    assert [row[0] for _, row in rows] == ["José", "Ana", "Renée"]
    assert len(problems) == 1 and problems[0][0] == 2 and "Windows-1252" in problems[0][1]
    assert reader.decode.fallback_lines == 2


def test_csv_reader_strips_bom_and_skips_blank_lines():
    problems = []
    reader = _reader("\ufeffnumber,name\n\nA1,x\n".encode(), problems)
    assert reader.header == ["number", "name"]
    assert list(reader.rows()) == [(3, ["A1", "x"])]
    assert problems == []


def test_empty_file_and_missing_columns_are_header_errors():
    with pytest.raises(HeaderError, match="empty"):
        _reader(b"", [])
    with pytest.raises(HeaderError, match="missing 1 required column"):
        header_index(["NPI", "Name"], ["NPI", "Entity Type Code"])
