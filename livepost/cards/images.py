"""Prepare user images (note photos, slides, logos) so Bluesky accepts and displays them well.

Phones write the camera's rotation into EXIF and often the place the photo was taken: we rotate
the pixels, then drop every bit of metadata (GPS included) by copying the pixels into a fresh
image. Then at most 2000 px on the long side, re-encoded until it is at most 976 KiB, and the
width and height reported for the post's ``aspectRatio`` (without it the app crops the image).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from livepost.cards.encode import MAX_IMAGE_BYTES, encode_smallest
from livepost.errors import InputError

MAX_SIDE = 2000
MAX_INPUT_BYTES = 50 * 1024 * 1024
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF", "HEIF", "AVIF"}
PHOTO_FORMATS = {"JPEG", "MPO", "HEIF", "AVIF"}  # lossy already: PNG would only be bigger
FORMAT_HINT = "Use a JPEG, PNG, WebP, HEIC or GIF file."
_HEIF_BRANDS = (b"ftypheic", b"ftypheix", b"ftyphevc", b"ftypmif1", b"ftypmsf1")


@dataclass(frozen=True)
class PreparedImage:
    """An image ready to upload as a blob: bytes, mime type and its pixel size."""

    data: bytes
    mime: str
    width: int
    height: int

    @property
    def aspect_ratio(self) -> dict[str, int]:
        """``{"width": w, "height": h}`` for the embed's ``aspectRatio``."""
        return {"width": self.width, "height": self.height}


def _register_heif() -> bool:
    """Let Pillow read HEIC through pillow-heif when it is installed (it is optional)."""
    try:
        import pillow_heif  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert pixels with an embedded colour profile (Display P3 photos) to sRGB."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image


def _pixels_only(image: Image.Image) -> Image.Image:
    """A fresh RGB or RGBA image holding only the pixels: no EXIF, GPS, XMP, ICC or comments."""
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    mode = "RGBA" if has_alpha else "RGB"
    image = image.convert(mode)
    if mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image, mode = image.convert("RGB"), "RGB"
    return Image.frombytes(mode, image.size, image.tobytes())


def load_image(
    source: str | Path | bytes, *, name: str | None = None, max_side: int = MAX_SIDE
) -> tuple[Image.Image, str]:
    """Open, orient, strip and downscale an image; returns (image, source format).

    ``source`` is a path or the file's bytes (then ``name`` is what errors call it). Every way a
    file can be bad is an :class:`InputError` naming it.
    """
    label = name or str(source if not isinstance(source, bytes) else "image")
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        try:
            size = path.stat().st_size
        except FileNotFoundError as exc:
            raise InputError(label, "file not found") from exc
        except OSError as exc:
            raise InputError(label, f"cannot open this file ({exc.strerror})") from exc
        if size > MAX_INPUT_BYTES:
            raise InputError(
                label,
                f"file is {size / 1024 / 1024:.1f} MB; images up to "
                f"{MAX_INPUT_BYTES // 1024 // 1024} MB are accepted",
                hint="Export a smaller copy of the image.",
            )
        data = path.read_bytes()
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(label, "file is too large", hint="Export a smaller copy of the image.")
    if data[4:12] in _HEIF_BRANDS:
        _register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            fmt = image.format or ""
            if fmt not in ACCEPTED_FORMATS:
                raise InputError(label, f"{fmt} images are not accepted", hint=FORMAT_HINT)
            if fmt in ("JPEG", "MPO"):
                image.draft("RGB", (max_side, max_side))  # decode big photos at 1/2, 1/4, 1/8
            image.seek(0)  # GIF, WebP and MPO: the first frame
            image.load()
            image = ImageOps.exif_transpose(image)
            image = _pixels_only(_to_srgb(image))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InputError(
            label,
            f"image is too large to open safely (over {Image.MAX_IMAGE_PIXELS:,} pixels)",
            hint=f"Resize it to at most {max_side} pixels on the long side.",
        ) from exc
    except UnidentifiedImageError as exc:
        if data[4:12] in _HEIF_BRANDS:
            raise InputError(
                label,
                "HEIC images need the optional pillow-heif package",
                hint="Install pillow-heif, or export the photo as JPEG.",
            ) from exc
        raise InputError(
            label,
            "cannot read this image (not an image, or the file is damaged)",
            hint=FORMAT_HINT,
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InputError(
            label,
            "cannot read this image (not an image, or the file is damaged)",
            hint=FORMAT_HINT,
        ) from exc
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return image, fmt


def prepare_image(
    source: str | Path | bytes,
    *,
    name: str | None = None,
    max_side: int = MAX_SIDE,
    max_bytes: int = MAX_IMAGE_BYTES,
) -> PreparedImage:
    """Ready an image for upload: oriented, metadata-free, <= ``max_side`` px, <= ``max_bytes``."""
    image, fmt = load_image(source, name=name, max_side=max_side)
    photo = fmt in PHOTO_FORMATS
    data, mime, encoded = encode_smallest(
        image,
        max_bytes=max_bytes,
        allow_png=not photo,
        allow_jpeg=photo or image.mode == "RGB",
        sharp=not photo,
    )
    return PreparedImage(data, mime, encoded.width, encoded.height)
