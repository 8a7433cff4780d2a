"""Profile photos: check an upload by its content and re-encode it at fixed sizes.

Bytes in, bytes out: no storage, no ORM. The file name and the browser's content
type are never trusted; Pillow reads the header to learn the format and the
dimensions *before* decoding any pixels, so a decompression bomb (a small file
declaring a huge image) is refused without allocating memory for it. The
outputs are freshly encoded JPEGs, so nothing from the upload's metadata
(EXIF location, camera serial, comments, colour profiles) survives.
"""

import io

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# 40 megapixels is more than any phone camera saves; decoding that much stays around 160 MB.
MAX_PIXELS = 40_000_000
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
        f"Upload a photo of at most {MAX_PIXELS // 1_000_000} megapixels.",
        code="too_many_pixels",
    )


def _to_rgb(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white; JPEG has no alpha channel."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode_jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # No exif=, icc_profile= or comment= arguments: the output carries no metadata.
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
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
            image.load()
            upright = ImageOps.exif_transpose(image)
            rgb = _to_rgb(upright)
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

    return {edge: _encode_jpeg(ImageOps.fit(rgb, (edge, edge), method=Image.Resampling.LANCZOS)) for edge in SIZES}
