"""Photo checks by content: real images pass and lose their metadata; everything else is refused
with a message a person can act on, without decoding pixels it should not."""

import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from dashboard import images


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def photo_with_exif(width: int = 1200, height: int = 900) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° when shown
    exif[0x8825] = {1: "N", 2: (37.0, 46.0, 30.0)}  # GPSInfo
    return encode(Image.new("RGB", (width, height), (180, 40, 40)), "JPEG", exif=exif, quality=90)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def huge_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid 1-bit PNG of width × height: ~50 KB on disk, 400 million pixels decoded."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def header_only_png(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IEND", b"")


def refused(data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        images.process_photo(data)
    return caught.value


@pytest.mark.parametrize(
    ("fmt", "mode", "params"),
    [("JPEG", "RGB", {}), ("PNG", "RGBA", {}), ("PNG", "P", {}), ("WEBP", "RGB", {"quality": 80})],
)
def test_jpeg_png_and_webp_become_square_jpegs_at_every_size(fmt, mode, params):
    source = encode(Image.new(mode, (800, 500)), fmt, **params)
    out = images.process_photo(source)
    assert set(out) == set(images.SIZES)
    for edge, data in out.items():
        with Image.open(io.BytesIO(data)) as result:
            assert result.format == "JPEG"
            assert result.size == (edge, edge)
            assert result.mode == "RGB"


def test_exif_is_applied_then_stripped():
    out = images.process_photo(photo_with_exif())
    for data in out.values():
        assert b"SecretCam" not in data
        with Image.open(io.BytesIO(data)) as result:
            assert dict(result.getexif()) == {}
            assert "icc_profile" not in result.info and "exif" not in result.info


def test_transparent_png_is_flattened_onto_white():
    out = images.process_photo(encode(Image.new("RGBA", (400, 400), (0, 0, 0, 0)), "PNG"))
    with Image.open(io.BytesIO(out[192])) as result:
        assert result.getpixel((96, 96)) == (255, 255, 255)


def test_the_name_does_not_matter_a_pdf_is_not_an_image():
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    error = refused(pdf)
    assert error.code == "format"
    assert "not a JPEG, PNG or WebP image" in error.messages[0]


def test_other_image_formats_are_refused():
    assert refused(encode(Image.new("RGB", (300, 300)), "GIF")).code == "format"
    assert refused(encode(Image.new("RGB", (300, 300)), "BMP")).code == "format"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_images_are_refused(fmt):
    image = Image.effect_noise((600, 600), 60).convert("RGB")
    data = encode(image, fmt)
    error = refused(data[: len(data) // 2])
    assert error.code == "damaged"
    assert "damaged or incomplete" in error.messages[0]


def test_empty_too_small_and_too_big_files():
    assert refused(b"").code == "empty"
    assert refused(encode(Image.new("RGB", (120, 80)), "PNG")).code == "too_small"
    assert refused(b"\xff" * (images.MAX_UPLOAD_BYTES + 1)).code == "too_big"


def test_a_20000_by_20000_png_is_refused_as_too_large():
    data = huge_png()
    assert len(data) < 200_000
    error = refused(data)
    assert error.code == "too_many_pixels"
    assert "too large to process" in error.messages[0]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_dimensions_just_over_our_limit_are_refused_from_the_header():
    # Over MAX_PIXELS but under Pillow's hard limit (2 × MAX_IMAGE_PIXELS): our own check answers.
    error = refused(header_only_png(8000, 6000))
    assert error.code == "too_many_pixels"
    assert "8,000 × 6,000 pixels" in error.messages[0]


def test_pillow_guard_is_set_to_our_limit():
    assert Image.MAX_IMAGE_PIXELS == images.MAX_PIXELS


def test_the_huge_png_is_refused_without_decoding_it():
    """In a fresh process: peak memory stays far below the 400 MB the pixels would need."""
    script = (
        "import resource, sys\n"
        "sys.path.insert(0, '.')\n"
        "from tests.dashboard.test_images import huge_png\n"
        "from dashboard.images import process_photo\n"
        "data = huge_png()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    process_photo(data)\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__)\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print((after - before) // 1024)\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        env={"DJANGO_SETTINGS_MODULE": "directory.settings.test", "PATH": "/usr/bin:/bin"},
        check=True,
    )
    kind, grown_mb = result.stdout.split()
    assert kind == "ValidationError"
    assert int(grown_mb) < 50


# ---------------------------------------------------------------- metadata (issue 11, item 6)


def _icc_with_text(text: bytes) -> bytes:
    """A real sRGB profile whose description carries `text` (profiles hold free text: desc, cprt)."""
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return profile + text  # Pillow stores and copies the bytes without parsing them


def _png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "SECRET-PNG-TEXT")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>SECRET-XMP</x:xmpmeta>")
    return encode(Image.new("RGB", (600, 400), (10, 120, 200)), "PNG", pnginfo=info)


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (37.0, 46.0, 30.0), 3: "W", 4: (122.0, 25.0, 9.0), 27: "SECRET-GPS"})
    return exif


METADATA = {
    "jpeg comment": (
        lambda: encode(Image.new("RGB", (600, 400)), "JPEG", comment=b"SECRET-COMMENT"),
        b"SECRET-COMMENT",
    ),
    "exif": (lambda: photo_with_exif(), b"SecretCam"),
    "gps": (lambda: encode(Image.new("RGB", (600, 400)), "JPEG", exif=_gps_exif()), b"SECRET-GPS"),
    "jpeg xmp": (
        lambda: encode(Image.new("RGB", (600, 400)), "JPEG", xmp=b"<x:xmpmeta>SECRET-XMP</x:xmpmeta>"),
        b"SECRET-XMP",
    ),
    "jpeg icc text": (
        lambda: encode(Image.new("RGB", (600, 400)), "JPEG", icc_profile=_icc_with_text(b"SECRET-ICC")),
        b"SECRET-ICC",
    ),
    "png text and xmp": (_png_with_text, b"SECRET-"),
    "png icc text": (
        lambda: encode(Image.new("RGB", (600, 400)), "PNG", icc_profile=_icc_with_text(b"SECRET-ICC")),
        b"SECRET-ICC",
    ),
    "webp exif, xmp and icc": (
        lambda: encode(
            Image.new("RGB", (600, 400)),
            "WEBP",
            exif=_gps_exif(),
            xmp=b"<x:xmpmeta>SECRET-XMP</x:xmpmeta>",
            icc_profile=_icc_with_text(b"SECRET-ICC"),
        ),
        b"SECRET-",
    ),
}


def carries(data: bytes, marker: bytes) -> bool:
    """The marker in the file's bytes, or in a block Pillow decompresses (PNG iCCP, zTXt)."""
    with Image.open(io.BytesIO(data)) as image:
        blocks = [value.encode() if isinstance(value, str) else value for value in image.info.values()]
    return marker in data or any(isinstance(block, bytes) and marker in block for block in blocks)


@pytest.mark.parametrize("kind", list(METADATA))
def test_every_metadata_block_is_stripped(kind):
    build, marker = METADATA[kind]
    source = build()
    assert carries(source, marker)  # the upload really carries it
    for data in images.process_photo(source).values():
        assert not carries(data, marker)
        assert b"Exif\x00\x00" not in data and b"ICC_PROFILE" not in data and b"http://ns.adobe.com/xap" not in data
        with Image.open(io.BytesIO(data)) as result:
            assert dict(result.getexif()) == {}
            assert not {"exif", "icc_profile", "xmp", "comment"} & set(result.info), result.info


# ---------------------------------------------------------------- decoding budget (issue 11, item 6)


@pytest.fixture
def decoding_forbidden(monkeypatch):
    """Any attempt to decode pixels fails the test: refusals must come from the header alone."""
    from PIL import ImageFile

    def no_decoding(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)


def flat(fmt: str, width: int, height: int, mode: str = "RGB") -> bytes:
    return encode(Image.new(mode, (width, height)), fmt)


@pytest.mark.parametrize(
    ("fmt", "size"),
    [
        ("PNG", (4001, 4000)),  # just over MAX_DECODED_PIXELS: PNG decodes at full size
        ("WEBP", (4001, 4000)),
        ("JPEG", (10_000, 1700)),  # 17 megapixels too narrow to decode scaled down
        ("JPEG", (6400, 6400)),  # over MAX_PIXELS
    ],
)
def test_images_that_would_decode_too_many_pixels_are_refused_before_decoding(fmt, size, decoding_forbidden):
    data = flat(fmt, *size)
    assert len(data) < images.MAX_UPLOAD_BYTES
    error = refused(data)
    assert error.code == "too_many_pixels"
    assert f"{size[0]:,} × {size[1]:,} pixels" in error.messages[0]


def test_a_40_megapixel_jpeg_is_accepted_because_it_decodes_scaled_down():
    side = int(images.MAX_PIXELS**0.5)
    assert set(images.process_photo(flat("JPEG", side, side))) == set(images.SIZES)


def test_the_largest_png_and_webp_accepted_are_at_the_decoding_budget():
    for fmt in ("PNG", "WEBP"):
        assert set(images.process_photo(flat(fmt, 4000, 4000, "RGBA"))) == set(images.SIZES)


PEAK_SCRIPT = """
import io, re, sys
sys.path.insert(0, ".")
from PIL import Image
from dashboard import images
fmt = sys.argv[1]
buffer = io.BytesIO()
Image.new("RGBA", (4000, 4000)).save(buffer, format=fmt)
data = buffer.getvalue()
del buffer
def status(field):
    return int(re.search(field + r":\\s+(\\d+) kB", open("/proc/self/status").read())[1]) // 1024
open("/proc/self/clear_refs", "w").write("5")  # reset the peak to the current size
before = status("VmRSS")
images.process_photo(data)
print(status("VmHWM") - before)
"""


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc to read peak memory")
@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_peak_memory_of_the_worst_accepted_images(fmt):
    """The worst accepted uploads are 16-megapixel RGBA PNG and WebP files (JPEGs decode scaled
    down). Measured with `python -m bench.photo_memory`: about +130 MB (PNG) and +255 MB (WebP);
    before issue 11, a 40-megapixel WebP took +960 MB. The bound is generous so it cannot flake."""
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, fmt],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={"DJANGO_SETTINGS_MODULE": "directory.settings.test", "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert int(result.stdout) < 450, f"{fmt}: +{result.stdout.strip()} MB"
