"""Peak memory of processing the worst photos `dashboard/images.py` accepts (and one it refuses).

    .venv/bin/python -m bench.photo_memory

Each image is encoded here, written to a temporary file, and processed in a fresh
interpreter that reports how much its peak resident memory grew while `process_photo`
ran (Linux: the peak is reset through /proc/self/clear_refs, then read as VmHWM).
Pillow allocates pixels with malloc, outside tracemalloc's view, and ru_maxrss carries
the parent's peak across exec, so VmHWM is the figure. Flat-colour images: decoding costs the same whatever the
content, and only compressible images fit under the 5 MB upload limit at this size.
"""

import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, re, sys
sys.path.insert(0, ".")
from dashboard import images

def status(field):
    return int(re.search(field + r":\\s+(\\d+) kB", open("/proc/self/status").read())[1]) // 1024

data = open(sys.argv[1], "rb").read()
open("/proc/self/clear_refs", "w").write("5")  # reset the peak (VmHWM) to the current size
before = status("VmRSS")
try:
    images.process_photo(data)
    outcome = "accepted"
except Exception as exc:
    outcome = f"refused ({getattr(exc, 'code', type(exc).__name__)})"
peak = status("VmHWM")
print(json.dumps({"outcome": outcome, "growth_mb": peak - before, "peak_mb": peak}))
"""


def cases() -> list[tuple[str, str, int, int]]:
    """The worst accepted image of each kind, at the limits, then the first ones refused."""
    from dashboard import images

    def square(pixels: int) -> tuple[int, int]:
        side = int(pixels**0.5)
        return side, pixels // side

    decoded, jpeg = square(images.MAX_DECODED_PIXELS), square(images.MAX_PIXELS)
    # A JPEG too narrow for draft scaling decodes at full size: the widest one still accepted.
    # (draft halves a side only when the short side is at least twice the 2 x 480 pixels asked for).
    short = max(images.SIZES) * 4 - 1
    narrow_jpeg = (images.MAX_DECODED_PIXELS // short, short)
    return [
        *(("PNG", mode, *decoded) for mode in ("RGBA", "RGB", "LA", "P", "I;16")),
        *(("WEBP", mode, *decoded) for mode in ("RGBA", "RGB")),
        *(("JPEG", mode, *jpeg) for mode in ("RGB", "CMYK")),
        ("JPEG", "RGB", *narrow_jpeg),
        ("PNG", "RGBA", decoded[0] + 10, decoded[1] + 10),
        ("JPEG", "RGB", jpeg[0] + 10, jpeg[1] + 10),
    ]


def encode(fmt: str, mode: str, width: int, height: int) -> bytes:
    saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        buffer = io.BytesIO()
        Image.new(mode, (width, height)).save(buffer, format=fmt, **({"quality": 50} if fmt == "WEBP" else {}))
        return buffer.getvalue()
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def main() -> None:
    sys.path.insert(0, str(ROOT))
    print(f"{'format':6} {'mode':5} {'pixels':>11} {'file':>11}  {'outcome':27} {'growth':>7} {'peak':>6}")
    for fmt, mode, width, height in cases():
        with tempfile.NamedTemporaryFile(suffix="." + fmt.lower()) as file:
            file.write(encode(fmt, mode, width, height))
            file.flush()
            result = subprocess.run(
                [sys.executable, "-c", CHILD, file.name],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
                env={"DJANGO_SETTINGS_MODULE": "directory.settings.test", "PATH": "/usr/bin:/bin"},
            )
            size = Path(file.name).stat().st_size
        row = json.loads(result.stdout)
        print(
            f"{fmt:6} {mode:5} {f'{width}x{height}':>11} {size:>9,} B  {row['outcome']:27} "
            f"{row['growth_mb']:>4} MB {row['peak_mb']:>3} MB"
        )


if __name__ == "__main__":
    main()
