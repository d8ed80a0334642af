"""Note snippets: ``notes/<talk-id>.md``, written by a note taker while the talk runs.

The file format (design.md's contract), chosen so a note taker can type it in any editor:

* Snippets are separated by a blank line; the lines of one snippet stay together (one post).
* A snippet may start with ``[HH:MM]`` (or ``[H:MM]``) to pin the time it goes out, and/or with
  ``[lang: de]`` (or ``[lang: de, en]``) to post it in other languages than the event's.
* A line ``![alt text](path)`` attaches an image to its snippet. The path is relative to the
  notes file's own folder, as in every Markdown previewer (``![chart](img/chart.png)`` in
  ``notes/x.md`` is ``notes/img/chart.png``). Images must live inside the event folder: a path
  (or a symlink) leading outside it is refused (:func:`livepost.files.event_file`).
* A whole line ``<!-- ... -->`` is a comment and is never posted.
* The last snippet counts as *complete* only once a blank line follows it: until the writer
  presses Enter twice, they may still be typing, and nothing is posted from it.

Files named ``.something.md`` or ending in ``~`` (editor scratch files) are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from livepost.cards.alt import has_visible_text
from livepost.compose.text import MAX_TEXT_GRAPHEMES, grapheme_count
from livepost.config import MAX_NOTES_BYTES
from livepost.errors import InputError, NotesError
from livepost.files import event_file
from livepost.model.ids import closest_ids
from livepost.schedule.common import looks_like_utf16

_IMAGE = re.compile(r"^!\[(?P<alt>[^\]]*)\]\(\s*(?P<path><[^>]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\s*\)$")
_PIN = re.compile(r"^\[(?P<pin>[^\]]*)\]\s*")
_LANG_TAG = r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*"
_LANGS = re.compile(
    rf"^\[lang\s*[:=]\s*(?P<langs>{_LANG_TAG}(?:\s*,\s*{_LANG_TAG}){{0,2}})\]\s*", re.I
)
_PIN_ATTEMPT = re.compile(r"^\s*\d")  # "[14:05]" and "[25:99]" are pins; "[Update]" is text
_PIN_VALUE = re.compile(r"^\s*(?P<h>\d{1,2})[:.](?P<m>\d{2})\s*$")
_COMMENT = re.compile(r"^<!--.*-->$")
_MAX_IMAGES = 4  # a Bluesky post carries at most four images


@dataclass(frozen=True)
class ImageRef:
    """An image attached to a snippet; ``path`` is resolved against the notes file's folder."""

    path: Path
    alt: str
    line: int
    written: str = ""  # the path as written in the file


@dataclass
class Snippet:
    """One note: what one post (or one short thread, if too long) will say."""

    talk_id: str
    index: int  # 0-based position in its file
    text: str  # without the pin and the image lines; lines joined with "\n"
    line: int  # 1-based line of its first line
    pinned_at: time | None = None
    images: list[ImageRef] = field(default_factory=list)
    complete: bool = True
    pin_error: str | None = None  # the raw "[...]" when it is not a time (check_notes reports it)
    langs: list[str] | None = None  # from "[lang: de]": overrides the event's languages


@dataclass(frozen=True)
class NoteProblem:
    """Something ``livepost notes check`` reports, with the file and (where known) the line."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}, line {self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.message}"


def read_notes(path: Path) -> list[Snippet]:
    """Read the snippets of one notes file (talk id = file name without ``.md``)."""
    text = _read(path)
    talk_id = path.stem
    snippets: list[Snippet] = []
    block: list[tuple[int, str]] = []
    lines = text.splitlines()
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if _COMMENT.match(line.strip()):
            continue
        if line.strip():
            block.append((number, line))
        elif block:
            snippets.append(_snippet(path, talk_id, len(snippets), block))
            block = []
    if block:
        snippet = _snippet(path, talk_id, len(snippets), block)
        snippet.complete = False  # no blank line after it yet: the writer may still be typing
        snippets.append(snippet)
    return snippets


class NotesTooLarge(NotesError):
    """A notes file over :data:`MAX_NOTES_BYTES`: that file is skipped, not the whole plan."""


#: how a skipped file is reported (``notes check``, the plan's warnings)
SKIPPED = (
    "skipped: its snippets are not planned until it is smaller; every other talk plans as usual"
)


class Notes(dict[str, list[Snippet]]):
    """Snippets by talk id, and in ``skipped`` the talk ids whose file was not read because it
    is over the size limit, each with why (the plan reports them and keeps their queued posts).
    """

    def __init__(self) -> None:
        super().__init__()
        self.skipped: dict[str, str] = {}


def load_notes(notes_dir: Path) -> Notes:
    """Every notes file in ``notes_dir`` by talk id; no folder means no notes yet. A file over
    the size limit is skipped (see :class:`Notes`); any other unreadable file raises
    :class:`NotesError`, so a half-saved file never cancels the posts made from it."""
    notes = Notes()
    for path in notes_files(notes_dir):
        try:
            notes[path.stem] = read_notes(path)
        except NotesTooLarge as exc:
            notes.skipped[path.stem] = f"{exc.detail}; {SKIPPED}"
    return notes


def notes_files(notes_dir: Path) -> list[Path]:
    """The ``*.md`` files of a notes folder, sorted, without editor scratch files."""
    if not notes_dir.is_dir():
        return []
    return sorted(
        p for p in notes_dir.glob("*.md") if p.is_file() and not p.name.startswith((".", "~", "#"))
    )


def check_notes(
    notes_dir: Path,
    talk_ids: set[str],
    max_graphemes: int = 300,
    *,
    event_dir: Path | None = None,
) -> list[NoteProblem]:
    """Everything a note taker should fix before the day, file by file, line by line.

    Every image is checked to be inside ``event_dir`` (default: the notes folder's parent) and
    decoded, so a file that cannot be posted is found now, not on the day.
    """
    root = notes_dir.parent if event_dir is None else event_dir
    problems: list[NoteProblem] = []
    for path in notes_files(notes_dir):
        if path.stem not in talk_ids:
            problems.append(NoteProblem(path, None, _unknown_id(path.stem, talk_ids)))
        try:
            snippets = read_notes(path)
        except NotesTooLarge as exc:
            problems.append(NoteProblem(path, None, f"{exc.detail}; {SKIPPED}"))
            continue
        except NotesError as exc:
            problems.append(NoteProblem(path, exc.line, exc.detail))
            continue
        for snippet in snippets:
            problems.extend(_snippet_problems(path, snippet, max_graphemes, root))
    return problems


def _read(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_NOTES_BYTES:
            raise NotesTooLarge(
                path,
                f"is {size / 1_000_000:.1f} MB; a notes file holds at most "
                f"{MAX_NOTES_BYTES // 1_000_000} MB (a whole day of notes is a few KB)",
                hint="Is this the right file? Keep one talk's snippets in it, or split it.",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotesError(path, "file not found") from None
    except OSError as exc:
        raise NotesError(path, f"cannot be read ({exc.strerror})") from None
    if looks_like_utf16(data):
        raise NotesError(
            path,
            "is UTF-16 text without a byte-order mark",
            hint="Save the notes file as UTF-8 and it will be read again.",
        )
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise NotesError(
            path,
            "is not a text file (it contains NUL bytes)",
            line=line,
            hint="Notes files are plain text: save it as UTF-8 text (.md).",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise NotesError(
            path,
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded)",
            line=line,
            hint="Save the notes file as UTF-8 and it will be read again.",
        ) from None


def _snippet(path: Path, talk_id: str, index: int, block: list[tuple[int, str]]) -> Snippet:
    first_line = block[0][0]
    pinned_at: time | None = None
    pin_error: str | None = None
    langs: list[str] | None = None
    texts: list[str] = []
    images: list[ImageRef] = []
    for position, (number, line) in enumerate(block):
        if position == 0:
            line, langs = _take_langs(line)
        pin = _PIN.match(line) if position == 0 else None
        if pin:
            is_link = line[pin.end("pin") + 1 : pin.end("pin") + 2] == "("  # [2025 report](url)
            if _PIN_ATTEMPT.match(pin["pin"]) and not is_link:
                pinned_at = _pin_time(pin["pin"])
                if pinned_at is None:
                    pin_error = pin.group(0).strip()
                else:
                    line = line[pin.end() :]
                    if langs is None:
                        line, langs = _take_langs(line)
        image = _IMAGE.match(line.strip())
        if image:
            raw = image["path"].strip("<>").strip()
            alt = " ".join(image["alt"].split())
            images.append(ImageRef(path.parent / raw, alt, number, raw))
        elif line.strip():
            texts.append(line)
    return Snippet(
        talk_id=talk_id,
        index=index,
        text="\n".join(texts).strip(),
        line=first_line,
        pinned_at=pinned_at,
        images=images,
        pin_error=pin_error,
        langs=langs,
    )


def _take_langs(line: str) -> tuple[str, list[str] | None]:
    """Strip a leading ``[lang: de, en]`` marker; the languages it names, or None."""
    match = _LANGS.match(line)
    if not match:
        return line, None
    return line[match.end() :], [t.strip() for t in match["langs"].split(",")]


def _pin_time(value: str) -> time | None:
    match = _PIN_VALUE.match(value)
    if not match or int(match["h"]) > 23 or int(match["m"]) > 59:
        return None
    return time(int(match["h"]), int(match["m"]))


def _unknown_id(stem: str, talk_ids: set[str]) -> str:
    message = f"no talk has the id {stem!r}"
    close = closest_ids(stem, talk_ids, n=1)
    if close:
        return f"{message}; did you mean {close[0]!r}? Rename the file to {close[0]}.md"
    return f"{message}; name the file after a talk id (see `livepost schedule show`)"


def _snippet_problems(
    path: Path, snippet: Snippet, max_graphemes: int, event_dir: Path
) -> list[NoteProblem]:
    problems: list[NoteProblem] = []
    if snippet.pin_error:
        problems.append(
            NoteProblem(
                path,
                snippet.line,
                f"{snippet.pin_error} is not a time; pin a snippet with [HH:MM], e.g. [14:05]",
            )
        )
    for image in snippet.images:
        problem = _image_problem(image, event_dir)
        if problem:
            problems.append(NoteProblem(path, image.line, problem))
        if not has_visible_text(image.alt):
            problems.append(
                NoteProblem(
                    path,
                    image.line,
                    f"image {image.path.name!r} has no alt text; describe it between the "
                    "brackets: ![what the image shows](...)",
                )
            )
    if len(snippet.images) > _MAX_IMAGES:
        problems.append(
            NoteProblem(
                path,
                snippet.line,
                f"snippet has {len(snippet.images)} images; a post carries at most {_MAX_IMAGES}, "
                "so split it with a blank line",
            )
        )
    if not snippet.text and not snippet.images:
        problems.append(NoteProblem(path, snippet.line, "snippet has a time but nothing to post"))
    length = grapheme_count(snippet.text)
    if length > MAX_TEXT_GRAPHEMES:
        problems.append(
            NoteProblem(
                path,
                snippet.line,
                f"snippet is {length:,} characters long; livepost posts at most "
                f"{MAX_TEXT_GRAPHEMES:,} of one snippet (about ten posts): split it into "
                "snippets with blank lines",
            )
        )
    elif length > max_graphemes:
        problems.append(
            NoteProblem(
                path,
                snippet.line,
                f"snippet is {length} characters long (limit {max_graphemes}) and will be split "
                "into a thread; shorten it or split it with a blank line",
            )
        )
    return problems


def _image_problem(image: ImageRef, event_dir: Path) -> str | None:
    """Why this image cannot be posted, checked in order: a web address, a path outside the
    event folder (refused before anything reads it), missing, a folder, not decodable."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]+://", image.written):
        return "images must be files on this computer, not web addresses"
    try:
        resolved = event_file(image.path, event_dir)
    except InputError as exc:
        return f"image {image.written!r} {exc.detail}"
    if resolved.is_file():
        return _decode_problem(resolved, image.written)
    if resolved.exists():
        return f"image {str(image.path)!r} is a folder"
    return f"image {str(image.path)!r} does not exist (paths are relative to the notes folder)"


def _decode_problem(path: Path, written: str) -> str | None:
    """Why the image cannot be posted (decoded as the publisher will), or None."""
    from livepost.cards.images import load_image

    try:
        load_image(path, name=written)
    except InputError as exc:
        return f"image {written!r}: {exc.detail}"
    return None
