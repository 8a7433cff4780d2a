"""Any text in a landing page's path segments: a page, a 301 to the canonical address, or a 404 — never a 500."""

from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import searchable_practitioner

pytestmark = pytest.mark.django_db

segment = st.one_of(
    st.text(min_size=1, max_size=120),
    st.sampled_from(["tx", "TX", "texas", "austin", "Austin", "saint-louis", "st.-louis", "sciatica", "Low-Back-Pain"]),
).filter(lambda text: text.strip("/") == text and "/" not in text and text not in (".", ".."))


@pytest.fixture
def austin(db):
    searchable_practitioner(zip_code="78701", conditions=("sciatica",))


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(state=segment, city=segment, condition=segment)
def test_landing_paths_never_error(austin, state, city, condition):
    client = Client(raise_request_exception=False)
    for path in (
        f"/acupuncturists/{quote(state, safe='')}/{quote(city, safe='')}/",
        f"/conditions/{quote(condition, safe='')}/",
    ):
        response = client.get(path)
        assert response.status_code in (200, 301, 404), (path, response.status_code)
        if response.status_code == 301:
            assert client.get(response["Location"]).status_code == 200
