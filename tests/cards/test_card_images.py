"""Preparing user images for upload: orientation, metadata stripping, size caps, bad files.

Every input is a real file written by the test with Pillow (or by hand, for broken ones).
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from livepost.cards import MAX_IMAGE_BYTES, prepare_image
from livepost.cards.images import MAX_SIDE
from livepost.errors import InputError

GPS_IFD = 0x8825
ORIENTATION = 0x0112
HINT = "Use a JPEG, PNG, WebP, HEIC or GIF file."


def red_blue(width: int = 80, height: int = 40) -> Image.Image:
    """Left half red, right half blue: rotation shows up as which half ends up where."""
    image = Image.new("RGB", (width, height), (255, 0, 0))
    image.paste((0, 0, 255), (width // 2, 0, width, height))
    return image


def near(pixel: object, colour: tuple[int, int, int], slack: int = 40) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= slack for a, b in zip(pixel[:3], colour, strict=True))


def test_exif_orientation_is_applied_then_all_metadata_and_gps_stripped(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # the camera was turned: display rotated 90° clockwise
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 12.5)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 39.0)
    path = tmp_path / "photo.jpg"
    red_blue().save(path, "JPEG", exif=exif, quality=95, comment=b"secret comment")
    original = path.read_bytes()
    assert b"PhoneMaker" in original and b"secret comment" in original
    assert Image.open(path).getexif().get_ifd(GPS_IFD)[1] == "N"

    prepared = prepare_image(path)

    assert (prepared.width, prepared.height) == (40, 80)
    assert prepared.aspect_ratio == {"width": 40, "height": 80}
    assert prepared.mime == "image/jpeg"
    out = Image.open(io.BytesIO(prepared.data))
    assert out.size == (40, 80)
    assert near(out.getpixel((20, 10)), (255, 0, 0))  # the left (red) half is now on top
    assert near(out.getpixel((20, 70)), (0, 0, 255))
    assert dict(out.getexif()) == {}
    assert "exif" not in out.info and "comment" not in out.info and "icc_profile" not in out.info
    for marker in (b"Exif", b"PhoneMaker", b"secret comment", b"GPS"):
        assert marker not in prepared.data


def test_big_png_is_downscaled_and_recompressed_under_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "slide.png"
    Image.effect_noise((3000, 1800), 90).convert("RGB").save(path, compress_level=1)
    assert path.stat().st_size > 3 * MAX_IMAGE_BYTES

    prepared = prepare_image(path)

    assert (prepared.width, prepared.height) == (MAX_SIDE, 1200)
    assert len(prepared.data) <= MAX_IMAGE_BYTES
    assert prepared.mime == "image/jpeg"  # noise: JPEG is far smaller than PNG
    assert Image.open(io.BytesIO(prepared.data)).size == (2000, 1200)


def test_flat_screenshot_stays_png(tmp_path: Path) -> None:
    path = tmp_path / "screenshot.png"
    red_blue(1200, 800).save(path)
    prepared = prepare_image(path)
    assert prepared.mime == "image/png"
    assert (prepared.width, prepared.height) == (1200, 800)


def test_transparency_is_kept_as_png(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    image.paste((10, 120, 200, 255), (0, 0, 150, 100))
    image.save(path)
    prepared = prepare_image(path)
    out = Image.open(io.BytesIO(prepared.data))
    assert prepared.mime == "image/png" and out.mode == "RGBA"
    assert out.getpixel((250, 50)) == (0, 0, 0, 0)
    assert out.getpixel((50, 50)) == (10, 120, 200, 255)


def test_gif_gives_its_first_frame(tmp_path: Path) -> None:
    path = tmp_path / "anim.gif"
    frames = [Image.new("RGB", (60, 40), colour) for colour in ((255, 0, 0), (0, 255, 0))]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert getattr(Image.open(path), "n_frames", 1) == 2

    prepared = prepare_image(path)

    out = Image.open(io.BytesIO(prepared.data))
    assert (prepared.width, prepared.height) == (60, 40)
    assert getattr(out, "n_frames", 1) == 1
    assert out.convert("RGB").getpixel((30, 20)) == (255, 0, 0)


def test_webp_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "photo.webp"
    red_blue(400, 300).save(path, "WEBP", quality=90)
    prepared = prepare_image(path)
    assert (prepared.width, prepared.height) == (400, 300)
    assert prepared.mime in ("image/png", "image/jpeg")


def test_bytes_can_be_prepared_too() -> None:
    buffer = io.BytesIO()
    red_blue(2400, 1200).save(buffer, "JPEG")
    prepared = prepare_image(buffer.getvalue(), name="upload.jpg")
    assert (prepared.width, prepared.height) == (2000, 1000)


def test_corrupt_file_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "slide.jpg"
    path.write_bytes(b"this is not an image at all")
    with pytest.raises(InputError) as err:
        prepare_image(path)
    assert str(err.value) == (
        f"{path}: cannot read this image (not an image, or the file is damaged)\n{HINT}"
    )
    assert err.value.path == str(path)


def test_truncated_jpeg_error_names_the_file(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.effect_noise((400, 400), 60).convert("RGB").save(buffer, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(InputError) as err:
        prepare_image(path)
    assert str(err.value) == (
        f"{path}: cannot read this image (not an image, or the file is damaged)\n{HINT}"
    )


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.png"
    with pytest.raises(InputError) as err:
        prepare_image(path)
    assert str(err.value) == f"{path}: file not found"


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels but holds almost no data (a bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_decompression_bomb_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header_only(30000, 30000))
    with pytest.raises(InputError) as err:
        prepare_image(path)
    assert str(err.value) == (
        f"{path}: image is too large to open safely (over {Image.MAX_IMAGE_PIXELS:,} pixels)\n"
        "Resize it to at most 2000 pixels on the long side."
    )


def test_unsupported_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.bmp"
    red_blue().save(path, "BMP")
    with pytest.raises(InputError) as err:
        prepare_image(path)
    assert str(err.value) == f"{path}: BMP images are not accepted\n{HINT}"


def test_heic_without_the_optional_plugin_says_what_to_do(tmp_path: Path) -> None:
    try:
        import pillow_heif  # type: ignore[import-not-found, unused-ignore]  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("pillow-heif is installed: HEIC files are read")
    path = tmp_path / "IMG_0001.HEIC"
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64)
    with pytest.raises(InputError) as err:
        prepare_image(path)
    assert str(err.value) == (
        f"{path}: HEIC images need the optional pillow-heif package\n"
        "Install pillow-heif, or export the photo as JPEG."
    )


def test_a_bad_image_does_not_affect_the_next_one(tmp_path: Path) -> None:
    bad, good = tmp_path / "bad.png", tmp_path / "good.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    red_blue().save(good)
    results: list[object] = []
    for path in (bad, good):
        try:
            results.append(prepare_image(path).width)
        except InputError as exc:
            results.append(exc.path)
    assert results == [str(bad), 80]
