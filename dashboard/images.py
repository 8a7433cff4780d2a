"""Profile photos: check an upload by its content and re-encode it at fixed sizes.

Bytes in, bytes out: no storage, no ORM. The file name and the browser's content
type are never trusted; Pillow reads the header to learn the format and the
dimensions *before* decoding any pixels, so a decompression bomb (a small file
declaring a huge image) is refused without allocating memory for it. The
outputs are freshly encoded JPEGs written with every metadata block empty, so
nothing from the upload's metadata (EXIF, GPS location, camera serial, XMP,
comments, colour profiles and their text) survives.
"""

import io

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Two limits, both checked from the header before any pixel is decoded:
# - MAX_PIXELS: the image's own size, any format (40 megapixels is more than a phone camera saves);
# - MAX_DECODED_PIXELS: the pixels the decoder will actually produce. PNG and WebP decode at full
#   size (up to 4 bytes a pixel, and WebP holds a second copy while decoding); a JPEG decodes
#   scaled down (draft mode) to about twice our largest rendition, so a 40-megapixel photo
#   decodes to ~2.5 megapixels. Peak memory of the worst accepted image: docs/security.md
#   (`python -m bench.photo_memory`).
MAX_PIXELS = 40_000_000
MAX_DECODED_PIXELS = 16_000_000
MIN_EDGE = 200
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
# Square edge lengths in pixels: 480 is the profile photo at 3x, 192 the result card at 2x.
SIZES: tuple[int, ...] = (480, 192)
JPEG_QUALITY = 85

# Pillow's own guard, lowered to our limit: it warns above MAX_PIXELS and raises
# DecompressionBombError above twice that, for every image the process opens.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

NOT_AN_IMAGE = "This file is not a JPEG, PNG or WebP image. Choose a photo saved in one of those formats."
DAMAGED = "This image file is damaged or incomplete. Save it again or choose another photo."


def _too_many_pixels(width: int, height: int) -> ValidationError:
    return ValidationError(
        f"This image is {width:,} × {height:,} pixels, too large to process. "
        f"Upload a photo of at most {MAX_DECODED_PIXELS // 1_000_000} megapixels "
        f"(a JPEG photo, not much wider than it is high, may have up to {MAX_PIXELS // 1_000_000}).",
        code="too_many_pixels",
    )


def _square(image: Image.Image) -> Image.Image:
    """The centred square, shrunk by an integer factor to about twice our largest rendition.

    Done first, on the decoded image, so that every later copy (orientation, colour
    conversion, resizing) is of the small square, never of the whole upload.
    """
    width, height = image.size
    edge = min(width, height)
    box = ((width - edge) // 2, (height - edge) // 2, (width - edge) // 2 + edge, (height - edge) // 2 + edge)
    factor = edge // (max(SIZES) * 2)
    if factor < 2:
        return image.crop(box)
    if image.mode not in ("L", "LA", "RGB", "RGBA", "CMYK", "I", "F"):
        # Palette, 1-bit and 16-bit images: Image.reduce() needs a plain mode.
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    return image.reduce(factor, box)


def _to_rgb(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white; JPEG has no alpha channel."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")


def _encode_jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # Pillow copies a JPEG comment from image.info unless told otherwise, and may learn to copy
    # more: drop what the upload carried (EXIF, GPS, XMP, ICC profile, comments, PNG text) and say
    # "none" for each block explicitly.
    image.info.clear()
    image.save(
        buffer,
        format="JPEG",
        quality=JPEG_QUALITY,
        optimize=True,
        progressive=True,
        comment=b"",
        exif=b"",
        icc_profile=None,
        xmp=None,
    )
    return buffer.getvalue()


def process_photo(data: bytes) -> dict[int, bytes]:
    """Check an uploaded photo and return {edge length: JPEG bytes} for every size in SIZES.

    Raises ValidationError with a message meant for the person uploading.
    """
    if not data:
        raise ValidationError("The file is empty.", code="empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"This file is {len(data) / 1024 / 1024:.1f} MB; photos can be at most "
            f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB.",
            code="too_big",
        )
    try:
        # First pass: header only (format, size), then an integrity check of the whole file.
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise ValidationError(NOT_AN_IMAGE, code="format")
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels(width, height)
            if min(width, height) < MIN_EDGE:
                raise ValidationError(
                    f"This image is only {width} × {height} pixels. Upload a photo at least "
                    f"{MIN_EDGE} pixels wide and high.",
                    code="too_small",
                )
            probe.verify()
        # Second pass: decode. verify() leaves the image unusable, so open it again.
        with Image.open(io.BytesIO(data)) as image:
            if image.format == "JPEG":
                # Let the JPEG decoder scale down while decoding: less memory and time.
                image.draft("RGB", (max(SIZES) * 2, max(SIZES) * 2))
            # image.size is now what the decoder will produce (after any draft scaling).
            if image.size[0] * image.size[1] > MAX_DECODED_PIXELS:
                raise _too_many_pixels(width, height)
            image.load()
            # The orientation tag turns a square into the same square: crop first, then turn.
            square = _square(image)
            ImageOps.exif_transpose(square, in_place=True)
            rgb = _to_rgb(square)
    except Image.DecompressionBombError as exc:
        raise ValidationError(
            f"This image is too large to process. Upload a photo of at most {MAX_PIXELS // 1_000_000} megapixels.",
            code="too_many_pixels",
        ) from exc
    except UnidentifiedImageError as exc:
        raise ValidationError(NOT_AN_IMAGE, code="format") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        # Pillow reports truncated or corrupt data with any of these.
        raise ValidationError(DAMAGED, code="damaged") from exc

    return {edge: _encode_jpeg(rgb.resize((edge, edge), Image.Resampling.LANCZOS)) for edge in SIZES}
