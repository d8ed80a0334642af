"""Hostile workbooks: a declared dimension of 17 billion cells, a value far out in the sheet, zip
bombs by size and by ratio. Each is built here, imported by the real command in a subprocess
whose peak memory (ru_maxrss) is measured: under 200 MB, exit 2, the limit and the file named."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook

WORKTREE = Path(__file__).resolve().parents[2]
SHEET = "xl/worksheets/sheet1.xml"
MAX_RSS_MB = 200

#: runs ``livepost ARGS`` and prints its own peak memory last, whatever the exit
_MEASURED = """\
import resource, runpy, sys
sys.argv = ["livepost", *sys.argv[1:]]
try:
    runpy.run_module("livepost", run_name="__main__", alter_sys=True)
finally:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stderr.write(f"\\npeak_kb={peak}\\n")
"""


@dataclass
class Measured:
    code: int
    out: str
    err: str
    peak_mb: float


def _import(folder: Path, name: str) -> Measured:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEPOST_")}
    env["PYTHONPATH"] = str(WORKTREE)
    env["COLUMNS"] = "200"
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, "schedule", "import", name],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    found = re.search(r"peak_kb=(\d+)\n$", done.stderr)
    assert found, done.stderr
    err = done.stderr[: found.start()].strip()
    return Measured(done.returncode, done.stdout, err, int(found[1]) / 1024)


def _event(tmp_path: Path) -> Path:
    folder = tmp_path / "event"
    (folder / "notes").mkdir(parents=True)
    (folder / "livepost.toml").write_text(
        '[event]\nname = "Hostile"\nhashtags = ["hostile"]\ntimezone = "Europe/London"\n',
        encoding="utf-8",
    )
    return folder


def _programme() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Start", "End", "Title", "Room"])
    sheet.append(["2030-06-18 10:00", "2030-06-18 10:30", "Opening", "Room 1"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewrite(data: bytes, sheet_xml: bytes | None = None, **extra: bytes) -> dict[str, bytes]:
    """The members of workbook ``data``, the first sheet's XML replaced."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    if sheet_xml is not None:
        members[SHEET] = sheet_xml
    members.update(extra)
    return members


def _zip(members: dict[str, bytes], path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def _declared_everything(data: bytes, far_cell: bool) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(SHEET)
    xml = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', xml)
    if far_cell:
        xml = xml.replace(
            b"</sheetData>",
            b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
            b"</sheetData>",
        )
    return xml


def test_a_declared_dimension_of_the_whole_grid_is_ignored(tmp_path: Path) -> None:
    folder = _event(tmp_path)
    data = _programme()
    crafted = _zip(_rewrite(data, _declared_everything(data, far_cell=False)), folder / "a.xlsx")
    assert crafted.stat().st_size < 8_000
    done = _import(folder, "a.xlsx")
    assert done.code == 0, done.err
    assert done.out.splitlines()[0] == (
        "Imported 1 item from a.xlsx (xlsx): 1 added, 0 changed, 0 withdrawn, 0 unchanged."
    )
    assert done.peak_mb < MAX_RSS_MB


def test_a_value_in_the_last_cell_of_the_grid_is_refused_with_the_limit(tmp_path: Path) -> None:
    folder = _event(tmp_path)
    data = _programme()
    _zip(_rewrite(data, _declared_everything(data, far_cell=True)), folder / "far.xlsx")
    done = _import(folder, "far.xlsx")
    assert done.code == 2
    assert done.err.splitlines()[0] == (
        "Error: far.xlsx: sheet 'Sheet' has a value in row 1,048,576; livepost reads at most "
        "20,000 rows"
    )
    assert "Traceback" not in done.err
    assert done.peak_mb < MAX_RSS_MB


def _bomb(path: Path, members: dict[str, bytes], size_mb: int, zip64: bool = True) -> Path:
    """The workbook with its sheet's XML padded with ``size_mb`` MB of spaces (deflates ~1000:1)."""
    block = b" " * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in members.items():
            if name != SHEET:
                archive.writestr(name, content)
        head, tail = members[SHEET].split(b"<sheetData>", 1)
        with archive.open(SHEET, "w", force_zip64=zip64) as sheet:
            sheet.write(head + b"<sheetData>")
            for _ in range(size_mb):
                sheet.write(block)
            sheet.write(tail)
    return path


def test_a_zip_bomb_is_refused_from_its_central_directory(tmp_path: Path) -> None:
    folder = _event(tmp_path)
    bomb = _bomb(folder / "bomb.xlsx", _rewrite(_programme()), 600)
    assert bomb.stat().st_size < 2_000_000
    done = _import(folder, "bomb.xlsx")
    assert done.code == 2
    assert done.err.splitlines()[0] == (
        "Error: bomb.xlsx: xl/worksheets/sheet1.xml inflates to 600 MB; livepost reads at "
        "most 48 MB of one sheet"
    )
    assert done.peak_mb < MAX_RSS_MB


def test_a_small_bomb_is_refused_by_its_compression_ratio(tmp_path: Path) -> None:
    folder = _event(tmp_path)
    bomb = _bomb(folder / "ratio.xlsx", _rewrite(_programme()), 20)
    with zipfile.ZipFile(bomb) as archive:
        info = archive.getinfo(SHEET)
    ratio = info.file_size / info.compress_size
    assert ratio > 100
    done = _import(folder, "ratio.xlsx")
    assert done.code == 2
    assert done.err.splitlines()[0] == (
        f"Error: ratio.xlsx: xl/worksheets/sheet1.xml is compressed {ratio:,.0f} to 1 (a zip "
        "bomb?); livepost reads workbooks compressed at most 100 to 1"
    )
    assert done.peak_mb < MAX_RSS_MB


def _parse(xml_rows: bytes) -> bytes:
    """A workbook whose sheet holds the programme's rows plus ``xml_rows``."""
    data = _programme()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(SHEET)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in _rewrite(
            data, xml.replace(b"</sheetData>", xml_rows + b"</sheetData>")
        ).items():
            archive.writestr(name, content)
    return out.getvalue()


def _refusal(data: bytes) -> str:
    from zoneinfo import ZoneInfo

    from livepost.errors import InputTooLarge
    from livepost.schedule import parse_schedule_bytes

    with pytest.raises(InputTooLarge) as caught:
        parse_schedule_bytes(data, path="p.xlsx", timezone=ZoneInfo("Europe/London"))
    assert caught.value.exit_code == 2
    return caught.value.message


def _inline(ref: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>x</t></is></c>'.encode()


def test_a_value_beyond_the_column_limit_is_refused_while_reading() -> None:
    data = _parse(b'<row r="3">' + _inline("GS3") + b"</row>")
    assert _refusal(data) == (
        "p.xlsx: sheet 'Sheet' has a value in column GS; livepost reads at most 200 columns"
    )


def test_a_grid_over_the_cell_limit_is_refused_at_the_cell_that_makes_it() -> None:
    data = _parse(
        b'<row r="3">' + _inline("GR3") + b'</row><row r="1001">' + _inline("A1001") + b"</row>"
    )
    assert _refusal(data) == (
        "p.xlsx: sheet 'Sheet' has 1,001 rows x 200 columns; livepost reads at most 200,000 cells"
    )


def test_a_directory_that_lies_about_a_sheet_is_refused_at_its_declared_size(
    tmp_path: Path,
) -> None:
    """The directory says 200,000 bytes; the sheet inflates to 100 MB. Reading stops at the
    declared size (the CRC check fails there): never more is inflated."""
    import struct

    folder = _event(tmp_path)
    path = _bomb(folder / "lie.xlsx", _rewrite(_programme()), 100, zip64=False)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(SHEET)
    declared = 200_000
    struct.pack_into("<I", data, info.header_offset + 22, declared)  # the local header
    entry = data.find(b"PK\x01\x02")
    while entry != -1:  # the directory entry of the sheet
        length = struct.unpack_from("<H", data, entry + 28)[0]
        if data[entry + 46 : entry + 46 + length] == SHEET.encode():
            struct.pack_into("<I", data, entry + 24, declared)
        entry = data.find(b"PK\x01\x02", entry + 4)
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo(SHEET).file_size == declared
    done = _import(folder, "lie.xlsx")
    assert done.code == 4
    assert done.err.splitlines()[0] == (
        "Error: lie.xlsx: is not a readable .xlsx workbook (Bad CRC-32 for file "
        "'xl/worksheets/sheet1.xml')"
    )
    assert done.peak_mb < MAX_RSS_MB
