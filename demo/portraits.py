"""Generated demo portraits: flat, illustrated head-and-shoulders avatars drawn with Pillow.

No photograph and no real person is involved: each portrait is a few ellipses and
rounded shapes (background, shoulders, neck, head, one of several hair shapes) in
colours picked from small palettes by a seeded random generator, so the same number
always draws the same picture. `seed_demo` stores a pool of them once (`store_pool`)
and gives most demo listings one, so the directory does not show one silhouette 300 times.

    python -m demo.portraits out/   # writes the pool as JPEG files, to look at them
"""

import io
import random
import sys
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from PIL import Image, ImageDraw

from dashboard.images import SIZES
from dashboard.services import SHARED_PHOTOS_DIR, photo_thumbnail_name

EDGE, THUMB_EDGE = max(SIZES), min(SIZES)  # the dashboard's renditions: profile at 3x, result card at 2x
POOL_SIZE = 64
SUPERSAMPLE = 2  # drawn at twice the size and scaled down: smooth edges without an anti-aliasing library

BACKGROUNDS = ("#dfe9e6", "#e8e1f0", "#f3e6d8", "#dde6f3", "#efe0e0", "#e2eddc", "#f1ecd9", "#dceff0")
SKIN = ("#f5d6c0", "#eec1a0", "#d9a27c", "#c68a64", "#a86b47", "#8a5436", "#6b3f28", "#f1c9a8")
HAIR = ("#2b211c", "#4a3426", "#6e4b32", "#a47148", "#c9a36a", "#8c8c8c", "#d8d2c8", "#1d1d1f", "#7a2f1f")
CLOTHES = ("#1f5f5b", "#3c5a8a", "#7a4b6e", "#5b6b3a", "#8a5a2b", "#33414d", "#a04a3c", "#4f7f8f", "#6d5c9e")
HAIR_STYLES = ("short", "long", "bun", "curly", "crop", "none")


def _portrait(number: int) -> Image.Image:
    rng = random.Random(f"portrait:{number}")
    size = EDGE * SUPERSAMPLE
    unit = size / 120  # shapes are laid out on a 120 × 120 grid
    image = Image.new("RGB", (size, size), rng.choice(BACKGROUNDS))
    draw = ImageDraw.Draw(image)

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (x0 * unit, y0 * unit, x1 * unit, y1 * unit)

    skin, hair, clothes = rng.choice(SKIN), rng.choice(HAIR), rng.choice(CLOTHES)
    style = rng.choice(HAIR_STYLES)
    head_w = rng.uniform(38, 44)
    head_h = head_w * rng.uniform(1.12, 1.22)
    cx, top = 60, rng.uniform(26, 30)
    head = box(cx - head_w / 2, top, cx + head_w / 2, top + head_h)

    if style == "long":  # hair behind the shoulders first
        draw.rounded_rectangle(
            box(cx - head_w / 2 - 5, top - 2, cx + head_w / 2 + 5, top + head_h + 22), 14 * unit, hair
        )
    if style == "bun":
        draw.ellipse(box(cx - 9, top - 14, cx + 9, top + 4), hair)
    if style == "curly":
        for dx, dy in ((-14, 2), (0, -4), (14, 2), (-18, 14), (18, 14), (-8, -2), (8, -2)):
            draw.ellipse(box(cx + dx - 10, top + dy - 8, cx + dx + 10, top + dy + 12), hair)

    # Shoulders, a collar line, the neck, then the head.
    draw.ellipse(box(10, 90, 110, 166), clothes)
    draw.rounded_rectangle(box(cx - 8, top + head_h - 10, cx + 8, 96), 4 * unit, skin)
    draw.pieslice(box(cx - 14, 82, cx + 14, 104), 0, 180, skin)
    draw.ellipse(head, skin)

    if style in ("short", "long"):  # a little hair over the ears
        for side in (-1, 1):
            ex = cx + side * (head_w / 2 - 2)
            draw.ellipse(box(ex - 4, top + 4, ex + 4, top + head_h * 0.45), hair)
    if style in ("short", "long", "bun"):
        draw.chord(box(cx - head_w / 2 - 1, top - 3, cx + head_w / 2 + 1, top + head_h * 0.8), 180, 360, hair)
    elif style == "crop":
        draw.chord(box(cx - head_w / 2, top - 1, cx + head_w / 2, top + head_h * 0.55), 180, 360, hair)
    elif style == "curly":
        draw.chord(box(cx - head_w / 2 - 2, top - 5, cx + head_w / 2 + 2, top + head_h * 0.7), 180, 360, hair)
    if rng.random() < 0.25:  # glasses for some
        eye_y = top + head_h * 0.5
        for side in (-1, 1):
            ex = cx + side * head_w * 0.22
            draw.ellipse(box(ex - 5, eye_y - 4, ex + 5, eye_y + 4), outline="#2b2b2b", width=round(1.2 * unit))
        draw.line(box(cx - 2, eye_y, cx + 2, eye_y), fill="#2b2b2b", width=round(1.2 * unit))
    return image.reduce(SUPERSAMPLE)  # a box filter: smooth edges, and fast


def _jpeg(image: Image.Image, edge: int) -> bytes:
    if edge != image.width:
        image = image.resize((edge, edge), Image.Resampling.BICUBIC, reducing_gap=2.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)  # about 9 kB at 480 px, like the dashboard's renditions
    return out.getvalue()


def portrait_jpeg(number: int, edge: int = EDGE) -> bytes:
    """Portrait `number` as JPEG bytes, `edge` pixels square (deterministic)."""
    return _jpeg(_portrait(number), edge)


def pool_name(number: int, edge: int = EDGE) -> str:
    """Where pool portrait `number` is stored, named as the dashboard names a photo's renditions.

    The directory is one the dashboard never deletes from: many listings share each portrait."""
    name = f"{SHARED_PHOTOS_DIR}portrait-{number:02d}.jpg"
    return name if edge == EDGE else photo_thumbnail_name(name, edge)


def store_pool(storage: Storage, pool_size: int = POOL_SIZE) -> list[str]:
    """Save the pool's files into `storage` if missing; return the large renditions' names."""
    for number in range(pool_size):
        missing = [edge for edge in (EDGE, THUMB_EDGE) if not storage.exists(pool_name(number, edge))]
        if missing:
            image = _portrait(number)
            for edge in missing:
                storage.save(pool_name(number, edge), ContentFile(_jpeg(image, edge)))
    return [pool_name(number) for number in range(pool_size)]


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "portraits")
    target.mkdir(parents=True, exist_ok=True)
    for n in range(POOL_SIZE):
        (target / f"portrait-{n:02d}.jpg").write_bytes(portrait_jpeg(n))
    print(f"Wrote {POOL_SIZE} portraits to {target}/")
