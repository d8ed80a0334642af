"""Files that look like images but cannot be posted: each kind `notes check` and `queue --image`
must refuse when they are checked, not on the day."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image

DAMAGED = "cannot read this image (not an image, or the file is damaged)"
#: file name -> the reason ``load_image`` gives for it
REASONS = {
    "bomb.png": "image is too large to open safely (over 89,478,485 pixels)",
    "big.png": "image is too large to open safely (over 89,478,485 pixels)",
    "truncated.jpg": DAMAGED,
    "drawing.svg": DAMAGED,
    "text.png": DAMAGED,
    "photo.heic": "HEIC images need the optional pillow-heif package",
}


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side: int) -> bytes:
    """A valid PNG header declaring ``side`` x ``side`` pixels: a few dozen bytes on disk."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00"))
        + _chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    """The first half of a real JPEG."""
    buffer = io.BytesIO()
    Image.effect_noise((256, 256), 64).convert("RGB").save(buffer, format="JPEG", quality=90)
    data = buffer.getvalue()
    return data[: len(data) // 2]


def write_bad_images(folder: Path) -> dict[str, Path]:
    """Every kind of bad image in ``folder``, by file name."""
    folder.mkdir(parents=True, exist_ok=True)
    contents = {
        "bomb.png": bomb_png(100_000),  # Pillow's DecompressionBombError
        "big.png": bomb_png(10_000),  # 10^8 pixels: Pillow only warns (DecompressionBombWarning)
        "truncated.jpg": truncated_jpeg(),
        "drawing.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n',
        "text.png": b"This is not a picture.\n",
        "photo.heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
    }
    paths = {}
    for name, data in contents.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    return paths
