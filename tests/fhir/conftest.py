"""Fixtures for the FHIR API tests: a client that checks the content type and validates every body."""

import json

import pytest
from django.test import Client

from tests.fhir.validation import assert_valid


class FhirClient:
    def __init__(self) -> None:
        self.client = Client()

    def get(self, url: str, *, status: int = 200, **extra) -> dict:
        response = self.client.get(url, **extra)
        assert response.status_code == status, (url, response.status_code, response.content[:800])
        assert response["Content-Type"].startswith("application/fhir+json"), response["Content-Type"]
        return assert_valid(json.loads(response.content))

    def search(self, url: str, **extra) -> dict:
        bundle = self.get(url, **extra)
        assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
        return bundle

    def error(self, url: str, status: int = 400) -> str:
        outcome = self.get(url, status=status)
        assert outcome["resourceType"] == "OperationOutcome"
        return " ".join(issue["diagnostics"] for issue in outcome["issue"])


@pytest.fixture
def fhir(db) -> FhirClient:
    return FhirClient()


def matches(bundle: dict) -> list[dict]:
    return [entry["resource"] for entry in bundle.get("entry", []) if entry["search"]["mode"] == "match"]


def included(bundle: dict) -> list[dict]:
    return [entry["resource"] for entry in bundle.get("entry", []) if entry["search"]["mode"] == "include"]


def ids(bundle: dict) -> list[str]:
    return [resource["id"] for resource in matches(bundle)]


def extension(element: dict, url: str) -> dict | None:
    return next((item for item in element.get("extension", []) if item["url"] == url), None)


def sub(ext: dict, url: str) -> list[dict]:
    return [item for item in ext["extension"] if item["url"] == url]
