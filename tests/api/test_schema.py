"""The OpenAPI schema generates without warnings and describes every search parameter."""

import pytest
import yaml
from django.core.management import call_command

from search.filters import PractitionerFilterSet

pytestmark = pytest.mark.django_db


def test_schema_generates_and_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    operation = schema["paths"]["/api/v1/practitioners/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(PractitionerFilterSet.base_filters) | {"page"} <= set(parameters)
    assert parameters["condition"]["schema"]["type"] == "array"
    assert parameters["sort"]["schema"]["enum"] == ["distance", "experience", "rating", "relevance", "reviews"]
    assert parameters["verified"]["schema"]["type"] == "boolean"
    assert "400" in operation["responses"]
    assert "/api/v1/practitioners/{slug}/" in schema["paths"]


def test_schema_endpoint_and_docs_page(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi: 3" in response.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui-bundle.js" in docs and "/static/drf_spectacular_sidecar/" in docs
    assert "<script>" not in docs and "<style>" not in docs  # no inline code: the CSP stays strict
    assert "cdn" not in docs.lower()
