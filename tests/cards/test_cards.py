"""Image cards: golden images, auto-fit text, fonts, themes, layouts from files, alt text.

Golden images live in tests/golden/. After an intended change of the look, regenerate them with

    LIVEPOST_REGEN_GOLDEN=1 .venv/bin/pytest tests/cards/test_cards.py -k golden

and look at the new PNGs before committing them.
"""

from __future__ import annotations

import io
import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageChops, ImageStat

from livepost.cards import (
    BUILTIN_THEMES,
    CARD_KINDS,
    MAX_IMAGE_BYTES,
    CardError,
    CardEvent,
    contrast_ratio,
    draw_card,
    render_card,
)
from livepost.cards.encode import encode_jpeg, encode_png, encode_smallest
from livepost.cards.fonts import Run, chain_from
from livepost.cards.layout import ELLIPSIS, fit_text
from livepost.cards.render import DrawnCard
from livepost.cards.resources import builtin_dir
from livepost.cards.themes import TEXT_PAIRS, theme_problems
from livepost.errors import ConfigError, InputError
from livepost.model import Person, Talk

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
REGEN = os.environ.get("LIVEPOST_REGEN_GOLDEN") == "1"
TOLERANCE = 1.0  # mean absolute difference per channel, 0..255
FONTS = builtin_dir("assets") / "fonts"
LONDON = ZoneInfo("Europe/London")
EVENT = CardEvent("CCPR Conference 2026", "ccprconf26", "Europe/London")
START = datetime(2026, 6, 2, 13, 15, tzinfo=ZoneInfo("UTC"))  # 14:15 in London (BST)

GREEK = Person("Ζωή Παπαδοπούλου", "Εθνικό και Καποδιστριακό Πανεπιστήμιο Αθηνών")
POLISH = Person("Łukasz Żółkiewski", "Uniwersytet Jagielloński")
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosisandhypertrophyx"
TITLE_200 = (
    "Reproducible research at scale: what twenty years of replication studies tell us about "
    "open data, shared code, registered reports and the slow, patient work of changing how a "
    "field rewards care"
)


def talk(
    title: str, minutes: int = 0, room: str | None = "Room 2", speakers: list[Person] | None = None
) -> Talk:
    start = START + timedelta(minutes=minutes)
    return Talk(
        title,
        start,
        start + timedelta(minutes=45),
        room,
        [GREEK, POLISH] if speakers is None else speakers,
    )


def card_args(kind: str) -> dict[str, object]:
    main = talk("Reproducible research at scale: twenty years of replication studies")
    later = [
        main,
        talk("Open data", 45, speakers=[Person("Ada Lovelace", "Analytical Engines Ltd")]),
        talk("Panel: peer review in a world of preprints", 90, speakers=[]),
    ]
    if kind == "talk":
        return {"talk": main}
    if kind == "quote":
        return {"talk": main, "text": "“If it cannot be reproduced, it is an anecdote.”"}
    if kind == "next":
        return {"talks": later}
    return {"talks": later, "stats": {"talks": 42, "speakers": 67, "posts": 318, "likes": 2451}}


EXPECTED_ALT = {
    "talk": "Card: talk at 14:15 in Room 2, 'Reproducible research at scale: twenty years of "
    "replication studies' by Ζωή Παπαδοπούλου (Εθνικό και Καποδιστριακό Πανεπιστήμιο Αθηνών) "
    "and Łukasz Żółkiewski (Uniwersytet Jagielloński)",
    "quote": "Card: quote from Ζωή Παπαδοπούλου and Łukasz Żółkiewski in 'Reproducible research "
    "at scale: twenty years of replication studies': “If it cannot be reproduced, it is an "
    "anecdote.”",
    "next": "Card: next talks: 14:15 in Room 2, 'Reproducible research at scale: twenty years of "
    "replication studies' by Ζωή Παπαδοπούλου and Łukasz Żółkiewski; 15:00 in Room 2, 'Open "
    "data' by Ada Lovelace; 15:45 in Room 2, 'Panel: peer review in a world of preprints'",
    "wrapup": "Card: CCPR Conference 2026 in numbers: 42 talks, 67 speakers, 318 posts, "
    "2,451 likes",
}


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    return sum(ImageStat.Stat(diff).mean) / 3


def assert_inside(drawn: DrawnCard) -> None:
    """Every text's ink lies inside its box, and every box inside the card."""
    width, height = drawn.image.size
    assert drawn.placements
    for place in drawn.placements:
        left, top, right, bottom = place.box
        assert left >= 0 and top >= 0 and right <= width and bottom <= height, place.element
        ink_left, ink_top, ink_right, ink_bottom = place.ink
        assert ink_left >= left - 1 and ink_right <= right + 1, (place.element, place.block.lines)
        assert ink_top >= top - 1 and ink_bottom <= bottom + 1, (place.element, place.block.lines)


def placed(drawn: DrawnCard, element: str) -> tuple[str, ...]:
    return next(p.block.lines for p in drawn.placements if p.element == element)


# --- golden images -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "theme", "size"),
    [(k, "default", (1200, 675)) for k in CARD_KINDS]
    + [("talk", "light", (1200, 675)), ("next", "contrast", (1080, 1080))],
)
def test_golden_cards(kind: str, theme: str, size: tuple[int, int]) -> None:
    card = render_card(kind, event=EVENT, theme=theme, size=size, **card_args(kind))  # type: ignore[arg-type]
    assert (card.width, card.height) == size
    assert card.mime in ("image/png", "image/jpeg")
    assert len(card.data) <= MAX_IMAGE_BYTES
    assert card.alt == EXPECTED_ALT[kind]
    image = Image.open(io.BytesIO(card.data))
    assert image.format == {"image/png": "PNG", "image/jpeg": "JPEG"}[card.mime]
    assert image.size == size
    name = f"{kind}-{theme}-{size[0]}x{size[1]}.png"
    golden = GOLDEN / name
    if REGEN:
        GOLDEN.mkdir(exist_ok=True)
        image.convert("RGB").save(golden, optimize=True)
    assert golden.is_file(), f"missing {golden}; run with LIVEPOST_REGEN_GOLDEN=1"
    assert mean_difference(image, Image.open(golden)) <= TOLERANCE


def test_golden_comparison_catches_a_changed_card() -> None:
    card = render_card("talk", event=EVENT, talk=talk("A different title entirely"))
    changed = Image.open(io.BytesIO(card.data))
    assert mean_difference(changed, Image.open(GOLDEN / "talk-default-1200x675.png")) > TOLERANCE


def test_card_is_the_smaller_of_png_and_jpeg() -> None:
    drawn = draw_card("talk", event=EVENT, **card_args("talk"))  # type: ignore[arg-type]
    card = render_card("talk", event=EVENT, **card_args("talk"))  # type: ignore[arg-type]
    png, jpeg = encode_png(drawn.image), encode_jpeg(drawn.image, 90)
    assert card.data == min(png, jpeg, key=len)
    assert card.extension == (".png" if len(png) <= len(jpeg) else ".jpg")
    assert card.aspect_ratio == {"width": 1200, "height": 675}


def test_photo_like_content_is_sent_as_jpeg_under_the_limit() -> None:
    noise = Image.effect_noise((1400, 1400), 80).convert("RGB")
    data, mime, encoded = encode_smallest(noise, max_bytes=300_000)
    assert mime == "image/jpeg"
    assert len(data) <= 300_000
    assert Image.open(io.BytesIO(data)).size == encoded.size


# --- text fitting --------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["Intro", TITLE_200, LONG_WORD])
@pytest.mark.parametrize("size", [(1200, 675), (1080, 1080), (800, 418)])
def test_titles_never_overflow(title: str, size: tuple[int, int]) -> None:
    drawn = draw_card("talk", event=EVENT, talk=talk(title), size=size)
    assert_inside(drawn)
    lines = placed(drawn, "element.3")
    assert " ".join(lines).replace("- ", "-") == title  # nothing cut, nothing lost
    assert not any(line.endswith(ELLIPSIS) for line in lines)


def test_short_title_is_drawn_at_the_largest_size() -> None:
    drawn = draw_card("talk", event=EVENT, talk=talk("Intro"))
    block = next(p.block for p in drawn.placements if p.element == "element.3")
    assert (block.lines, block.size) == (("Intro",), 68)


def test_sixty_character_word_shrinks_below_min_size_on_one_line() -> None:
    assert len(LONG_WORD) == 60
    drawn = draw_card("talk", event=EVENT, talk=talk(LONG_WORD))
    block = next(p.block for p in drawn.placements if p.element == "element.3")
    assert block.lines == (LONG_WORD,)
    assert block.size < 68
    assert not block.truncated


def test_ellipsis_only_when_nothing_else_fits() -> None:
    chain = chain_from([FONTS / "NotoSans-Bold.ttf"])
    words = " ".join(f"word{i}" for i in range(400))
    block = fit_text(words, chain, 600, 200, max_size=60, min_size=24, max_lines=4)
    assert block.truncated and block.size == 24 and len(block.lines) == 4
    assert block.lines[-1].endswith(ELLIPSIS)
    kept = " ".join(block.lines)[:-1].split(" ")
    assert kept == [f"word{i}" for i in range(len(kept))]  # whole words, in order
    roomy = fit_text("word0 word1", chain, 600, 200, max_size=60, min_size=24, max_lines=4)
    assert not roomy.truncated and roomy.lines == ("word0 word1",) and roomy.size == 60


def test_wrap_breaks_after_hyphens_but_never_inside_a_word() -> None:
    chain = chain_from([FONTS / "NotoSans-Regular.ttf"])
    width = chain.length("state-of-the-", 40) + 1
    block = fit_text("state-of-the-art", chain, width, 500, max_size=40, min_size=40)
    assert block.lines == ("state-of-the-", "art")


def test_speaker_names_in_greek_and_polish_are_drawn_with_the_main_font() -> None:
    drawn = draw_card("talk", event=EVENT, talk=talk("Names"))
    assert placed(drawn, "element.4") == (
        "Ζωή Παπαδοπούλου, Εθνικό και Καποδιστριακό Πανεπιστήμιο Αθηνών",
        "Łukasz Żółkiewski, Uniwersytet Jagielloński",
    )
    chain = chain_from([FONTS / "NotoSans-Regular.ttf", FONTS / "DejaVuSans.ttf"])
    for name in (GREEK.name, POLISH.name, "Дмитрий Шостакович", "Ærøskøbing Çağrı Ñuñoa"):
        assert chain.runs(chain.clean(name)) == (Run(0, name),)


def test_missing_glyphs_fall_back_and_uncovered_text_is_reported_not_dropped() -> None:
    chain = chain_from([FONTS / "NotoSans-Regular.ttf", FONTS / "DejaVuSans.ttf"])
    assert chain.runs("Slides → here") == (Run(0, "Slides "), Run(1, "→ "), Run(0, "here"))
    assert chain.clean("Great  talk \u202eabc\u202c") == "Great talk abc"  # bidi controls go
    # Only the shipped fonts: CJK is missing, and said so (never dropped quietly).
    assert chain.missing("漢字 only") == ("漢", "字")


def test_a_title_no_font_covers_draws_no_title_and_says_so() -> None:
    drawn = draw_card("talk", event=EVENT, talk=talk("Plan \ue000"))
    assert "element.3" not in [p.element for p in drawn.placements]
    assert [(m.element, m.text, m.chars) for m in drawn.missing] == [
        ("element.3", "Plan \ue000", ("\ue000",))
    ]


# --- themes and contrast -------------------------------------------------------------------------


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.478, abs=0.001)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.542, abs=0.001)
    assert contrast_ratio("#f00", "#ffffff") == pytest.approx(3.998, abs=0.001)


@pytest.mark.parametrize("name", sorted(BUILTIN_THEMES))
def test_every_builtin_theme_reaches_aa_contrast(name: str) -> None:
    theme = BUILTIN_THEMES[name]
    for fg, bg in TEXT_PAIRS:
        assert contrast_ratio(theme.color(fg), theme.color(bg)) >= 4.5, (name, fg, bg)
    assert theme_problems(theme) == []


@pytest.mark.parametrize("name", sorted(BUILTIN_THEMES))
@pytest.mark.parametrize("kind", CARD_KINDS)
def test_every_builtin_theme_renders_every_builtin_layout(name: str, kind: str) -> None:
    drawn = draw_card(kind, event=EVENT, theme=name, **card_args(kind))  # type: ignore[arg-type]
    assert_inside(drawn)


def test_unknown_theme_is_a_settings_error() -> None:
    with pytest.raises(ConfigError) as err:
        render_card("talk", event=EVENT, talk=talk("x"), theme="neon")
    assert str(err.value) == (
        "unknown card theme 'neon'\nChoose one of: berry, contrast, default, forest, light."
    )


# --- layouts organisers can change ---------------------------------------------------------------


def event_templates(tmp_path: Path, kind: str, old: str = "", new: str = "") -> Path:
    cards = tmp_path / "templates" / "cards"
    cards.mkdir(parents=True, exist_ok=True)
    text = (builtin_dir("templates") / "cards" / f"{kind}.toml").read_text(encoding="utf-8")
    if old:
        assert old in text
        text = text.replace(old, new, 1)
    (cards / f"{kind}.toml").write_text(text, encoding="utf-8")
    return cards / f"{kind}.toml"


def test_event_layout_overrides_the_builtin_one(tmp_path: Path) -> None:
    event_templates(tmp_path, "talk", 'text = "{when}"', 'text = "Starts {start} in {room}"')
    drawn = draw_card(
        "talk", event=EVENT, talk=talk("Title"), template_dirs=[tmp_path / "templates"]
    )
    assert placed(drawn, "element.2") == ("Starts 14:15 in Room 2",)
    default = draw_card("talk", event=EVENT, talk=talk("Title"))
    assert placed(default, "element.2") == ("14:15–15:00 · Room 2",)


def test_empty_fields_leave_no_dangling_separator() -> None:
    drawn = draw_card("talk", event=EVENT, talk=talk("Title", room=None))
    assert placed(drawn, "element.2") == ("14:15–15:00",)


def test_invalid_layout_names_the_file_and_field(tmp_path: Path) -> None:
    path = event_templates(tmp_path, "talk", "size = 68", 'size = "huge"')
    with pytest.raises(InputError) as err:
        render_card("talk", event=EVENT, talk=talk("x"), template_dirs=[tmp_path / "templates"])
    assert str(err.value) == (
        f"{path}: element.3.size: Input should be a valid integer, unable to parse string as an "
        "integer"
    )


def test_unknown_field_in_a_layout_is_reported(tmp_path: Path) -> None:
    path = event_templates(tmp_path, "talk", 'text = "{title}"', 'text = "{titel}"')
    with pytest.raises(InputError) as err:
        render_card("talk", event=EVENT, talk=talk("x"), template_dirs=[tmp_path / "templates"])
    assert str(err.value).startswith(
        f"{path}: element.3.text: unknown field {{titel}}\nAvailable fields: event, hashtag, date,"
    )


def test_low_contrast_colour_in_a_layout_is_refused(tmp_path: Path) -> None:
    path = event_templates(tmp_path, "talk", 'color = "muted"', 'color = "#2a3a55"')
    with pytest.raises(InputError) as err:
        render_card("talk", event=EVENT, talk=talk("x"), template_dirs=[tmp_path / "templates"])
    assert str(err.value) == (
        f"{path}: element.1.color: '#2a3a55' on 'background' has contrast 1.41:1 with theme "
        "'default'; WCAG AA needs at least 4.5:1\nPick a colour further from the background."
    )


def test_event_theme_file_adds_themes_and_checks_them(tmp_path: Path) -> None:
    cards = tmp_path / "templates" / "cards"
    cards.mkdir(parents=True)
    good = (
        '[themes.ours]\nbackground = "#ffffff"\nsurface = "#eeeeee"\ntext = "#111111"\n'
        'muted = "#444444"\naccent = "#8a0000"\non_accent = "#ffffff"\n'
    )
    (cards / "themes.toml").write_text(good, encoding="utf-8")
    drawn = draw_card(
        "talk", event=EVENT, talk=talk("x"), theme="ours", template_dirs=[tmp_path / "templates"]
    )
    assert drawn.image.getpixel((600, 20)) == (255, 255, 255)
    (cards / "themes.toml").write_text(good.replace("#444444", "#aaaaaa"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        draw_card("talk", event=EVENT, talk=talk("x"), template_dirs=[tmp_path / "templates"])
    assert str(err.value) == (
        f"{cards / 'themes.toml'}: themes.ours: muted (#aaaaaa) on background (#ffffff) has "
        "contrast 2.32:1, below the 4.5:1 that WCAG AA requires\nPick colours further apart."
    )


def test_event_fonts_are_found_in_the_event_assets(tmp_path: Path) -> None:
    fonts = tmp_path / "assets" / "fonts"
    fonts.mkdir(parents=True)
    shutil.copy(FONTS / "DejaVuSans.ttf", fonts / "House.ttf")
    path = event_templates(
        tmp_path,
        "talk",
        'regular = ["NotoSans-Regular.ttf", "DejaVuSans.ttf"]',
        'regular = ["House.ttf"]',
    )
    templates, assets = [tmp_path / "templates"], [tmp_path / "assets"]
    drawn = draw_card(
        "talk", event=EVENT, talk=talk("x"), template_dirs=templates, asset_dirs=assets
    )
    assert placed(drawn, "element.4")[0].startswith("Ζωή")
    path.write_text(path.read_text().replace("House.ttf", "Missing.ttf"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        draw_card("talk", event=EVENT, talk=talk("x"), template_dirs=templates, asset_dirs=assets)
    assert str(err.value).startswith(f"{path}: fonts.regular.0: font 'Missing.ttf' not found\n")


def test_logo_replaces_the_event_name(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (400, 100), (255, 0, 0)).save(logo)
    event = CardEvent("CCPR Conference 2026", "ccprconf26", "Europe/London", logo=logo)
    drawn = draw_card("talk", event=event, talk=talk("Title"))
    assert "element.1" not in [p.element for p in drawn.placements]
    assert drawn.image.getpixel((200, 60)) == (255, 0, 0)  # logo fitted into [72, 44, 760, 48]


# --- alt text and errors -------------------------------------------------------------------------


def test_single_next_talk_alt_text_reads_like_the_issue_example() -> None:
    one = talk("Title", speakers=[Person("Name")])
    card = render_card("next", event=EVENT, talks=[one])
    assert card.alt == "Card: next talk at 14:15 in Room 2, 'Title' by Name"


def test_alt_text_can_be_overridden_but_never_blank() -> None:
    assert render_card("talk", event=EVENT, talk=talk("T"), alt="Our own words").alt == (
        "Our own words"
    )
    assert render_card("talk", event=EVENT, talk=talk("T"), alt="  ").alt.startswith("Card: talk")


def test_wrapup_counts_the_programme_when_no_numbers_are_given() -> None:
    talks = [talk("A"), talk("B", 45, room="Room 3"), talk("Coffee", 90, speakers=[])]
    talks[2].kind = "break"
    card = render_card("wrapup", event=EVENT, talks=talks, heading="Day one in numbers")
    assert card.alt == "Card: Day one in numbers: 2 talks, 2 speakers, 2 rooms"


@pytest.mark.parametrize(
    ("kind", "kwargs", "message"),
    [
        ("quote", {"talk": None, "text": "x"}, "a quote card needs a talk"),
        ("quote", {"text": " "}, 'a quote card needs the quote\nPass the quote with --text "...".'),
        ("next", {}, "an up-next card needs at least one talk"),
        ("poster", {}, "unknown card kind 'poster'\nUse one of: talk, quote, next, wrapup."),
    ],
)
def test_card_errors(kind: str, kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"talk": talk("T"), **kwargs}
    with pytest.raises(CardError) as err:
        render_card(kind, event=EVENT, **args)  # type: ignore[arg-type]
    assert str(err.value) == message


def test_card_size_out_of_range_is_a_settings_error() -> None:
    with pytest.raises(ConfigError) as err:
        render_card("talk", event=EVENT, talk=talk("T"), size=(100, 5000))
    assert str(err.value) == (
        "card size 100x5000 is out of range\n"
        "Use a width and height between 200 and 4000 pixels, e.g. 1200x675."
    )


def test_many_speakers_are_listed_by_name_on_one_line() -> None:
    people = [Person(f"Speaker {n}", "Somewhere") for n in "ABCD"]
    drawn = draw_card("talk", event=EVENT, talk=talk("Panel", speakers=people))
    assert placed(drawn, "element.4") == ("Speaker A, Speaker B, Speaker C, Speaker D",)


def test_line_breaks_in_the_programme_do_not_break_the_card_title() -> None:
    drawn = draw_card("talk", event=EVENT, talk=talk("Open\n   data"))
    assert placed(drawn, "element.3") == ("Open data",)


def test_times_are_shown_in_the_event_time_zone() -> None:
    tokyo = CardEvent("Tokyo meetup", None, "Asia/Tokyo")
    drawn = draw_card("talk", event=tokyo, talk=talk("Title"))
    assert placed(drawn, "element.2") == ("22:15–23:00 · Room 2",)
    assert "element.5" not in [p.element for p in drawn.placements]  # no hashtag: nothing drawn


def test_unknown_time_zone_is_a_settings_error() -> None:
    with pytest.raises(ConfigError) as err:
        render_card("talk", event=CardEvent("E", None, "Mars/Olympus"), talk=talk("T"))
    assert str(err.value) == (
        "unknown time zone 'Mars/Olympus'\n"
        "Use an IANA name such as Europe/London in [event] timezone."
    )
