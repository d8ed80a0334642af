"""Files livepost writes for people (reports, cards, uploads): whole or not at all.

Each file is written beside its target and renamed over it when complete, so a full disk, a
crash or Ctrl-C never leaves a truncated report or a 0-byte PNG behind; a write that fails says
why in words (:class:`~livepost.errors.OutputError`, exit 5), never with a traceback.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from livepost.errors import InputError, OutputError


@contextmanager
def atomic_output(out: Path, *, text: bool = True, mode: int = 0o644) -> Iterator[IO[Any]]:
    """A stream for ``out``: the file appears only when the block ends without an error."""
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(
            "--out", f"the folder {folder} does not exist", hint="Create it or choose another path."
        )
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{out.name}.", dir=folder)
    except OSError as exc:
        raise _cannot_write(out, exc) from exc
    try:
        stream = (
            os.fdopen(handle, "w", encoding="utf-8", newline="")
            if text
            else os.fdopen(handle, "wb")
        )
        with stream:
            yield stream
        os.chmod(temp, mode)
        os.replace(temp, out)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise _cannot_write(out, exc) from exc
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_bytes(out: Path, data: bytes, *, mode: int = 0o644) -> Path:
    """Write ``data`` to ``out``, whole or not at all."""
    with atomic_output(out, text=False, mode=mode) as stream:
        stream.write(data)
    return out


def _cannot_write(out: Path, exc: OSError) -> OutputError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError(
            f"cannot write {out}: the disk is full",
            hint="Nothing was written. Free some space (or write elsewhere) and run it again.",
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(
            f"cannot write {out}: not allowed ({exc.strerror})",
            hint="Nothing was written. Choose a folder you may write to.",
        )
    return OutputError(
        f"cannot write {out}: {exc.strerror or exc}",
        hint="Nothing was written. Check the path and the disk, then run it again.",
    )
