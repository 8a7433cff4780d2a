"""Page weight in production: pages gzipped for visitors without a session, CSS minified and precompressed."""

import gzip
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.http import HttpResponse

from directory.middleware import AnonymousGZipMiddleware
from tests.factories import PractitionerFactory, UserFactory, searchable_practitioner

ROOT = Path(__file__).resolve().parent.parent
SOURCE_CSS = ROOT / "static" / "css" / "site.css"


@pytest.mark.django_db
def test_pages_are_gzipped_for_anonymous_visitors_that_accept_it(client):
    plain = client.get("/guide/")
    compressed = client.get("/guide/", headers={"accept-encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed.headers["Vary"]
    assert gzip.decompress(compressed.content).decode().startswith("<!doctype html>")
    assert len(compressed.content) < len(plain.content) / 2


@pytest.mark.django_db
def test_json_is_gzipped_but_not_images(client, rf):
    PractitionerFactory.create_batch(3)
    api = client.get("/api/v1/practitioners/", headers={"accept-encoding": "gzip"})
    assert api.headers["Content-Type"].startswith("application/json")
    assert api.headers["Content-Encoding"] == "gzip"

    photo = HttpResponse(bytes(5000), content_type="image/jpeg")  # a /media/ photo: compressed already
    served = AnonymousGZipMiddleware(lambda request: photo)(rf.get("/media/x.jpg", headers={"accept-encoding": "gzip"}))
    assert "Content-Encoding" not in served.headers and len(served.content) == 5000


@pytest.mark.django_db
def test_pages_for_a_visitor_with_a_session_are_not_compressed(client):
    """BREACH: their pages carry personal data next to reflected input (docs/deployment.md)."""
    client.force_login(UserFactory())
    response = client.get("/guide/", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.content.decode().lstrip().startswith("<!doctype html>")


def selectors(css: str) -> set[str]:
    """Every selector list (and at-rule prelude) of a stylesheet, whitespace removed."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return {re.sub(r"\s+", "", prelude) for prelude in re.findall(r"([^{};]+)\{", css)}


def test_collectstatic_writes_minified_and_compressed_css_with_every_selector(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]  # ours only: fast
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "directory.storage.MinifiedCompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)

    (served,) = [
        path for path in (tmp_path / "css").glob("site.*.css") if re.fullmatch(r"site\.[0-9a-f]{12}\.css", path.name)
    ]
    source = SOURCE_CSS.read_text()
    minified = served.read_text()
    assert len(minified) < 0.85 * len(source)
    assert "/*" not in minified and "\n  " not in minified
    assert selectors(source) <= {re.sub(r"\s+", "", part) for part in selectors(minified)}
    assert gzip.decompress((tmp_path / "css" / f"{served.name}.gz").read_bytes()).decode() == minified
    assert (tmp_path / "css" / f"{served.name}.br").exists()


@pytest.mark.django_db
def test_htmx_is_loaded_on_the_search_page_only(client):
    listing = searchable_practitioner(name="Ana Austin", slug="ana-austin", zip_code="78701", conditions=("sciatica",))
    pages = ["/", "/guide/", "/conditions/sciatica/", "/acupuncturists/tx/austin/", listing.get_absolute_url()]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"htmx.min.js" not in response.content, url
    assert b"js/vendor/htmx.min.js" in client.get("/practitioners/?location=78701").content
