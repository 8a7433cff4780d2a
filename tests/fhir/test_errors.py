"""Every refusal: 400 with an OperationOutcome naming the problem, 404 for unknown ids, 405 for writes."""

import pytest

from tests.factories import searchable_practitioner

pytestmark = pytest.mark.django_db

NEAR = "40.75|-73.99"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/fhir/Practitioner?foo=1", "Unknown search parameter “foo”"),
        ("/fhir/Practitioner?address=x", "Unknown search parameter “address”"),
        ("/fhir/Location?name=x", "Unknown search parameter “name”"),
        ("/fhir/PractitionerRole?near=40|-73", "Unknown search parameter “near”"),
        ("/fhir/PractitionerRole?location.address=x", "Unknown search parameter “location.address”"),
        ("/fhir/Practitioner?name:missing=true", "modifier :missing is not supported"),
        ("/fhir/Practitioner?gender:not=male", "modifier :not is not supported"),
        ("/fhir/Practitioner?_sort=name", "_sort is not supported"),
        ("/fhir/Practitioner?_summary=count", "_summary is not supported"),
        ("/fhir/Practitioner?_elements=name", "_elements is not supported"),
        ("/fhir/Practitioner?_has:PractitionerRole:practitioner:verified=true", "_has is not supported"),
        ("/fhir/Practitioner?_count=abc", "_count must be a whole number"),
        ("/fhir/Practitioner?_count=-1", "_count must be a whole number"),
        ("/fhir/Practitioner?_count=101", "_count must be from 0 to 100"),
        ("/fhir/Practitioner?_count=5&_count=6", "Give one _count only"),
        ("/fhir/Practitioner?_page=0", "_page must be 1 or more"),
        ("/fhir/Practitioner?_page=x", "_page must be a whole number"),
        ("/fhir/Practitioner?_page=3", "_page=3 does not exist; there is 1 page"),
        (
            "/fhir/Practitioner?_include=PractitionerRole:practitioner",
            "_include=PractitionerRole:practitioner is not supported here",
        ),
        ("/fhir/PractitionerRole?_include=PractitionerRole:organization", "not supported here"),
        ("/fhir/PractitionerRole?_include=PractitionerRole:practitioner:Location", "not supported here"),
        ("/fhir/PractitionerRole?_include:iterate=PractitionerRole:location", "_include takes no modifier"),
        (
            "/fhir/Location?_revinclude=PractitionerRole:location",
            "_revinclude=PractitionerRole:location is not supported",
        ),
        ("/fhir/Practitioner?_format=xml", "_format=xml is not supported"),
        ("/fhir/Practitioner?_pretty=yes", "_pretty is true or false"),
        ("/fhir/Practitioner?_total=all", "_total is none, estimate or accurate"),
        ("/fhir/Practitioner?gender=woman", "Unknown gender “woman”"),
        ("/fhir/Practitioner?gender=http://example.org|female", "Unknown gender"),
        ("/fhir/Practitioner?verified=yes", "“yes” is not true or false"),
        ("/fhir/Practitioner?name=a,,b", "An alternative between commas is empty"),
        ("/fhir/Practitioner?name=" + "x" * 201, "at most 200 characters"),
        ("/fhir/Practitioner?name=a%00b", "control characters"),
        ("/fhir/Practitioner?qualification-code=system|", "has a system but no code"),
        ("/fhir/Practitioner?qualification-issuer=Location/board-CA", "refers to a Location"),
        (
            "/fhir/Practitioner?qualification-issuer:Location=board-CA",
            "only type this parameter refers to is Organization",
        ),
        ("/fhir/Practitioner?_lastUpdated=ap2026", "ap (approximately) prefix is not supported"),
        ("/fhir/Practitioner?_lastUpdated=xx2026", "Unknown date prefix “xx”"),
        ("/fhir/Practitioner?_lastUpdated=2026-13-01", "not a real date"),
        ("/fhir/Practitioner?_lastUpdated=yesterday", "Unknown date prefix “ye”"),
        ("/fhir/Practitioner?_lastUpdated=2026-1-1", "not a FHIR date"),
        ("/fhir/Practitioner?_lastUpdated=2026-01-01T10:00", "no time zone"),
        ("/fhir/Practitioner?_lastUpdated=2026-01-01T10:00%2B15:00", "not a time zone offset"),
        ("/fhir/Practitioner?_lastUpdated=2026-01-01T10:00+15:00", "not a time zone offset"),  # unencoded +
        ("/fhir/Practitioner?_lastUpdated=2026,2027", "not a FHIR date"),
        ("/fhir/PractitionerRole?practitioner=Location/1", "refers to a Location"),
        ("/fhir/PractitionerRole?practitioner:Location=1", "only type this parameter refers to is Practitioner"),
        ("/fhir/PractitionerRole?new-patient=maybe", "Unknown code “maybe”"),
        ("/fhir/PractitionerRole?new-patient=http://example.org|newpt", "Use a code of"),
        ("/fhir/PractitionerRole?location.near=40.75", "is not latitude|longitude|distance|unit"),
        ("/fhir/PractitionerRole?location.near=1|2|3|mi&location.near=1|2|3|km", "Give location.near once"),
        ("/fhir/Location?near=40.75", "is not latitude|longitude|distance|unit"),
        ("/fhir/Location?near=1|2|3|4|5", "is not latitude|longitude|distance|unit"),
        ("/fhir/Location?near=north|-73.99", "latitude “north” is not a number"),
        ("/fhir/Location?near=40.75|west", "longitude “west” is not a number"),
        ("/fhir/Location?near=NaN|-73.99", "is not a number"),
        ("/fhir/Location?near=91|-73.99", "Latitude must be between -90 and 90"),
        ("/fhir/Location?near=40.75|-181", "Longitude must be between -180 and 180"),
        (f"/fhir/Location?near={NEAR}|0|km", "distance must be more than 0"),
        (f"/fhir/Location?near={NEAR}|-5|mi", "distance must be more than 0"),
        (f"/fhir/Location?near={NEAR}|ten|mi", "distance “ten” is not a number"),
        (f"/fhir/Location?near={NEAR}|10|ft", "Unknown distance unit “ft”"),
        (f"/fhir/Location?near={NEAR}|201|mi", "at most 200 mi (321.9 km)"),
        (f"/fhir/Location?near={NEAR}|330|km", "at most 200 mi"),
        (f"/fhir/Location?near={NEAR}|1|mi&near={NEAR}|2|mi", "Give near once"),
        (f"/fhir/Location?near=1,2|{NEAR}", "is not a number"),
        ("/fhir/Location?address-city:below=x", "modifier :below is not supported"),
        ("/fhir/Organization?name:missing=x", "modifier :missing is not supported"),
        ("/fhir/Organization?type=govt", "Unknown search parameter “type”"),
    ],
)
def test_bad_searches_are_400_with_a_specific_message(fhir, url, message):
    assert message in fhir.error(url)


def test_every_problem_is_reported_at_once(fhir):
    outcome = fhir.get("/fhir/Practitioner?foo=1&bar=2&_count=x", status=400)
    assert len(outcome["issue"]) == 3
    assert {issue["code"] for issue in outcome["issue"]} == {"not-supported", "invalid"}


def test_blank_values_count_as_absent(fhir):
    searchable_practitioner(zip_code="10001")
    assert fhir.search("/fhir/Practitioner?name=&gender=&_count=")["total"] == 1


def test_accepted_result_parameters(fhir):
    searchable_practitioner(zip_code="10001")
    for query in ("_format=json", "_format=application/fhir%2Bjson", "_pretty=true", "_total=accurate"):
        assert fhir.search(f"/fhir/Practitioner?{query}")["total"] == 1, query


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_405_with_an_outcome(fhir, method):
    response = getattr(fhir.client, method)("/fhir/Practitioner")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response["Content-Type"].startswith("application/fhir+json")
    assert b"read-only" in response.content


def test_head_is_allowed(fhir):
    assert fhir.client.head("/fhir/metadata").status_code == 200


def test_anonymous_requests_are_throttled_like_the_json_api(fhir, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    statuses = [fhir.client.get("/fhir/metadata").status_code for _ in range(2)]
    assert statuses == [200, 200]
    outcome = fhir.get("/fhir/Practitioner", status=429)
    assert outcome["issue"][0]["code"] == "throttled"
    assert int(fhir.client.get("/fhir/metadata")["Retry-After"]) >= 1


def test_writes_are_405_even_for_clients_that_send_no_csrf_token():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/fhir/Practitioner", {})
    assert response.status_code == 405
