"""Alt text must describe something: only spaces and zero-width characters count as none, for a
photo named on the CLI, sent from the phone, or given a new description in an edit."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from livepost.app.event import EventApp
from livepost.app.queue import Attachment, PostRequest, Upload
from livepost.config import load_settings
from livepost.errors import InputError
from livepost.model.actors import Actor
from livepost.store.engine import open_database, session_scope
from livepost.store.models import OutboxRow

INVISIBLE = ["", "   ", "\u200b", "\u200b \u200c\u200d", "\u2060\ufeff", "\t\n"]


@pytest.fixture
def app(tmp_path: Path) -> EventApp:
    (tmp_path / "livepost.toml").write_text(
        '[event]\nname = "Alt"\nhashtags = ["alt"]\ntimezone = "UTC"\n', encoding="utf-8"
    )
    settings = load_settings(tmp_path, environ={})
    return EventApp(settings, open_database(settings.database_url), Actor.owner())


def _photo(folder: Path) -> Path:
    path = folder / "photo.png"
    Image.new("RGB", (40, 30), (200, 10, 10)).save(path)
    return path


@pytest.mark.parametrize("alt", INVISIBLE)
def test_invisible_alt_text_is_refused_as_missing(app: EventApp, tmp_path: Path, alt: str) -> None:
    photo = _photo(tmp_path)
    for request in (
        PostRequest("A photo", images=[Attachment(photo, alt)]),
        PostRequest("A photo", uploads=[Upload(photo.read_bytes(), "photo.png", alt)]),
    ):
        with pytest.raises(InputError) as refused:
            app.queue.queue(request)
        assert refused.value.detail == "photo.png has no alt text"
    assert app.queue.posts() == []


def test_an_edit_cannot_blank_a_description_with_zero_width_characters(
    app: EventApp, tmp_path: Path
) -> None:
    queued = app.queue.queue(
        PostRequest("A photo", images=[Attachment(_photo(tmp_path), "A red square")])
    )
    with pytest.raises(InputError, match="every image needs its description"):
        app.queue.edit(queued.ids[0], alts=["\u200b"])
    with session_scope(app.engine) as session:
        row = session.get(OutboxRow, queued.ids[0])
        assert row is not None and row.embed is not None
        assert [i["alt"] for i in row.embed["images"]] == ["A red square"]
