"""Photo upload through the dashboard: stored re-encoded at fixed sizes; bad files refused beside
the field with nothing stored; replacing or removing a photo deletes the old files."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from dashboard import images
from dashboard.services import photo_thumbnail_name
from demo import portraits
from tests.dashboard.test_images import huge_png, photo_with_exif

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:photo")


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def media_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_upload_stores_every_size_without_metadata(owner_client, listing):
    response = owner_client.post(URL, {"photo": upload("me.jpg", photo_with_exif())})
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.photo.name.startswith("photos/mei-chen-")
    stored = media_files()
    assert stored == sorted([listing.photo.name, photo_thumbnail_name(listing.photo.name, 192)])
    for name in stored:
        data = (Path(settings.MEDIA_ROOT) / name).read_bytes()
        assert b"SecretCam" not in data
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG" and image.width == image.height in images.SIZES
    assert listing.photo.url in owner_client.get(listing.get_absolute_url()).text


def test_replacing_a_photo_deletes_the_old_files(owner_client, listing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(URL, {"photo": upload("a.png", photo_with_exif(), "image/png")})
    listing.refresh_from_db()
    first = listing.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(URL, {"photo": upload("b.jpg", photo_with_exif(900, 1200))})
    listing.refresh_from_db()
    assert listing.photo.name != first
    assert first not in media_files()
    assert len(media_files()) == 2


def test_replacing_a_shared_demo_portrait_keeps_its_files(owner_client, listing, django_capture_on_commit_callbacks):
    # Many demo listings show the same generated portrait (demo.portraits): a claimed one changing its photo
    # must not take the portrait away from the others.
    shared = portraits.store_pool(default_storage, pool_size=1)[0]
    listing.photo.name = shared
    listing.save(update_fields=["photo"])
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(URL, {"photo": upload("b.jpg", photo_with_exif())})
    listing.refresh_from_db()
    assert listing.photo.name != shared
    assert default_storage.exists(shared)
    assert default_storage.exists(photo_thumbnail_name(shared, min(images.SIZES)))


def test_remove_photo(owner_client, listing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(URL, {"photo": upload("a.jpg", photo_with_exif())})
        owner_client.post(reverse("dashboard:photo_remove"))
    listing.refresh_from_db()
    assert listing.photo.name == ""
    assert media_files() == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("cv.jpg", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "not a JPEG, PNG or WebP image"),
        ("huge.png", huge_png(), "too large to process"),
        ("cut.png", None, "damaged or incomplete"),
        ("big.jpg", b"\xff\xd8" + b"\x00" * (5 * 1024 * 1024), "photos can be at most 5 MB"),
        ("empty.jpg", b"", "The submitted file is empty."),
    ],
)
def test_bad_files_are_refused_beside_the_field(owner_client, listing, name, data, message):
    if data is None:
        full = io.BytesIO()
        Image.effect_noise((500, 500), 50).convert("RGB").save(full, "PNG")
        data = full.getvalue()[:5000]
    response = owner_client.post(URL, {"photo": upload(name, data)})
    assert response.status_code == 200
    assert message in response.text
    assert "photo" in response.context["form"].errors
    listing.refresh_from_db()
    assert listing.photo.name == ""
    assert media_files() == []


def test_upload_needs_a_file(owner_client, listing):
    response = owner_client.post(URL, {})
    assert "This field is required." in response.text


# ---------------------------------------------------------------- request size (issue 11, item 6)


class UnreadableBody(io.BytesIO):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the oversized body was read")

    readline = read


def test_a_300_mb_body_is_refused_with_413_before_it_is_read(owner_client, listing):
    response = owner_client.generic(
        "POST",
        URL,
        CONTENT_TYPE="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(300 * 1024 * 1024),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    assert "at most 6 MB" in response.text and "photos: 5 MB" in response.text
    listing.refresh_from_db()
    assert listing.photo.name == "" and media_files() == []


def test_an_upload_over_the_request_cap_is_refused_with_413(owner_client, listing):
    response = owner_client.post(URL, {"photo": upload("big.jpg", b"\xff\xd8" + b"\x00" * (7 * 1024 * 1024))})
    assert response.status_code == 413
    assert media_files() == []


def test_the_cap_leaves_room_for_the_photo_limit_message():
    """A photo a little over 5 MB still reaches the form and gets its message, not a 413."""
    assert settings.REQUEST_BODY_MAX_BYTES >= images.MAX_UPLOAD_BYTES + 512 * 1024


def test_oversized_form_fields_are_a_400_not_a_500(owner_client, listing):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 1024 * 1024
    response = owner_client.post(reverse("dashboard:listing_edit"), {"bio": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 400
