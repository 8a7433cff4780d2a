"""Pure parsing behind the board roster importer (`verification.roster`): no database."""

import pytest

from verification.roster import RosterEntry, map_status, names_match, normalize_number, parse_mapping


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Active", "active"),
        ("ACTIVE - CLEAR", "active"),
        ("Active - Probation", "probation"),
        ("Inactive", "inactive"),
        ("Expired", "expired"),
        ("Lapsed", "expired"),
        ("Revoked", "revoked"),
        ("Suspended", "suspended"),
        ("Surrendered", "inactive"),
        ("Retired", "retired"),
        ("Delinquent", "delinquent"),
        ("Pending board review", None),
        ("", None),
    ],
)
def test_board_status_words(text, status):
    assert map_status(text) == status


def test_license_numbers_compare_without_case_or_spaces():
    assert normalize_number(" acu.0000101 ") == "ACU.0000101"
    assert normalize_number("AC 98765") == "AC98765"


@pytest.mark.parametrize(
    ("ours", "last", "first", "full", "fits"),
    [
        ("Linda Nguyen", "Nguyen", "Linda", "", True),
        ("Linda Nguyen, L.Ac.", "NGUYEN", "LINDA", "", True),
        ("Linda Nguyen", "Nguyen", "L", "", True),
        ("Mei Chen-Li", "Chen-Li", "Mei", "", True),
        ("José Müller", "Muller", "Jose", "", True),
        ("Linda Nguyen", "Nguyen", "Mary", "", False),
        ("Grace Okafor", "Smith", "Grace", "", False),
        ("Linda Nguyen", "", "", "Linda Nguyen", True),
        ("Linda Nguyen", "", "", "Tom Nguyen", False),
    ],
)
def test_names_match(ours, last, first, full, fits):
    entry = RosterEntry(line=2, number="X", raw_number="X", last_name=last, first_name=first, name=full)
    assert names_match(ours, entry) is fits


def test_parse_mapping():
    assert parse_mapping("number=licensenumber, last_name=lastname") == {
        "number": "licensenumber",
        "last_name": "lastname",
    }
    with pytest.raises(ValueError, match="not a roster field"):
        parse_mapping("licence=licensenumber")
    with pytest.raises(ValueError, match="not field=column"):
        parse_mapping("number")
