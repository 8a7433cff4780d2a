"""Fuzzing the FHIR API the way tests/security/test_api_fuzz.py fuzzes the JSON API: whatever the
parameters, names, modifiers or ids, the answer is 200 or 400 (404 for reads), never a 5xx, and
every body is valid FHIR R4 (a Bundle or an OperationOutcome)."""

import json
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fhir.search import CONTROL_PARAMS, RESOURCES
from tests.factories import CertificationFactory, DegreeFactory, searchable_practitioner
from tests.fhir.validation import assert_valid

pytestmark = pytest.mark.django_db

NAMES = sorted({name for definition in RESOURCES.values() for name in definition.params} | set(CONTROL_PARAMS))
MODIFIERS = ["", ":exact", ":contains", ":missing", ":Practitioner", ":Organization", ":not", ":x"]
# Values mixing the syntax the parsers split on (| , \ : -) with numbers, dates, codes and arbitrary text.
pieces = st.one_of(
    st.sampled_from(["|", ",", "\\", ":", "-", "/", "ge", "lt", "ap", "T", "Z", "+", ".", " ", "mi", "km", "[mi_i]"]),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        [
            "2026",
            "2026-02-30",
            "2026-01-01T10:00:00Z",
            "171100000X",
            "newpt",
            "true",
            "board-CA",
            "Practitioner/1",
            "Location/1",
            "Organization/nccaom",
            "school-1",
            "PractitionerRole:practitioner",
        ]
    ),
    st.text(max_size=12),
)
values = st.lists(pieces, max_size=8).map("".join)
params = st.lists(
    st.tuples(st.one_of(st.sampled_from(NAMES), st.text(max_size=10)), st.sampled_from(MODIFIERS), values),
    max_size=4,
)


@pytest.fixture
def data(db):
    for n, zip_code in enumerate(("10001", "19103", "90012")):
        practitioner = searchable_practitioner(name=f"Fuzz {n} Person", zip_code=zip_code, verified=n != 1)
        CertificationFactory(practitioner=practitioner)
        DegreeFactory(practitioner=practitioner)


def check(response, allowed: tuple[int, ...]) -> None:
    assert response.status_code in allowed, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/fhir+json")
    assert_valid(json.loads(response.content))


@given(resource_type=st.sampled_from(sorted(RESOURCES)), query=params)
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_search_never_errors(data, resource_type, query):
    encoded = "&".join(
        f"{quote(name + modifier, safe=':')}={quote(value, safe='|,:')}" for name, modifier, value in query
    )
    check(Client().get(f"/fhir/{resource_type}?{encoded}"), (200, 400))


@given(
    resource_type=st.sampled_from(sorted(RESOURCES)),
    resource_id=st.one_of(values, st.integers(-(10**20), 10**20).map(str)),
)
@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
def test_read_never_errors(data, resource_type, resource_id):
    if not resource_id or "/" in resource_id:
        return  # another route (the search, or no route at all)
    check(Client().get(f"/fhir/{resource_type}/{quote(resource_id, safe='')}"), (200, 404))
