"""A photo a person names is theirs to give from anywhere: ``queue --image`` copies it (resized,
EXIF stripped) into the event's ``uploads/`` when queued, so the post still goes out after the
original is deleted. (Paths read from notes files stay confined to the event folder: see
tests/test_notes.py and tests/publish.)"""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from sqlalchemy import select

from livepost.config import load_settings
from livepost.model.posts import PostState
from livepost.run.rehearsal import rehearsal_key
from livepost.store.engine import open_database, session_scope
from livepost.store.models import EventRow, OutboxRow
from tests.clirunner import run_livepost

TEXT = "The speaker's slide on recruitment"


def _photo_with_exif(folder: Path) -> Path:
    folder.mkdir()
    path = folder / "photo.jpg"
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:06:18 14:05:00"  # DateTime
    Image.new("RGB", (800, 600), (200, 40, 40)).save(path, "JPEG", exif=exif)
    assert Image.open(path).getexif()  # the original does carry EXIF
    return path


def test_a_queued_photo_from_a_temporary_folder_posts_after_the_original_is_gone(
    demo_event: Path, tmp_path: Path
) -> None:
    photo = _photo_with_exif(tmp_path / "elsewhere")  # outside the event folder
    assert not photo.resolve().is_relative_to(demo_event.resolve())
    queued = run_livepost(
        "--event", demo_event, "queue", TEXT, "--image", photo, "--alt", "A bar chart"
    )
    assert queued.code == 0, queued.err
    photo.unlink()
    photo.parent.rmdir()

    ran = run_livepost("--event", demo_event, "run", "--dry-run", "--once")
    assert ran.code == 0, ran.err

    settings = load_settings(demo_event)
    uploads = (demo_event / "uploads").resolve()
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        rows = session.execute(
            select(EventRow.key, OutboxRow)
            .join(EventRow, EventRow.id == OutboxRow.event_id)
            .where(OutboxRow.text.startswith(TEXT))
        ).all()
        by_event = {key: row for key, row in rows}
        assert set(by_event) == {settings.event_key, rehearsal_key(settings.event_key)}
        sent = by_event[rehearsal_key(settings.event_key)]
        assert sent.state == PostState.POSTED, sent.last_error
        assert sent.uri and sent.uri.startswith("at://")
        (image,) = sent.embed["images"]
        assert image["alt"] == "A bar chart"
        stored = Path(image["path"])
        stored = stored if stored.is_absolute() else demo_event / stored
        assert stored.resolve().is_relative_to(uploads)
        assert by_event[settings.event_key].embed["images"] == sent.embed["images"]
    engine.dispose()
    with Image.open(stored) as kept:
        assert not kept.getexif()  # no camera, no time, no place
