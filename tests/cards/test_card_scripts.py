"""Cards in every script: golden cards per script family, CJK names that differ by one character,
Arabic shaped as HarfBuzz shapes it, mixed directions in order, and text no font covers reported.

The scripts beyond Latin, Greek and Cyrillic come from Debian's Noto packages (scripts/setup.sh
installs fonts-noto-core, fonts-noto-cjk and fonts-noto-color-emoji); a test whose fonts are
absent is skipped, saying which package it needs. Regenerate the goldens deliberately with

    LIVEPOST_REGEN_GOLDEN=1 .venv/bin/pytest tests/cards/test_card_scripts.py -k golden
"""

from __future__ import annotations

import io
import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageStat, features

from livepost.cards import CardEvent, card_alt, draw_card, render_card
from livepost.cards.bidi import levels, visual_order
from livepost.cards.fonts import chain_from
from livepost.cards.layout import fit_text
from livepost.cards.system_fonts import CJK_INDEX, NOTO, NOTO_CJK
from livepost.model import Person, Talk
from livepost.resources import builtin_dir

FONTS = builtin_dir("assets") / "fonts"
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "scripts"
REGEN = os.environ.get("LIVEPOST_REGEN_GOLDEN") == "1"
SIZE = (600, 338)  # small goldens: half the usual card
EVENT = CardEvent("Global Research Week", "grw26", "UTC")
START = datetime(2026, 6, 2, 14, 15, tzinfo=ZoneInfo("UTC"))
ARABIC_FONT = NOTO / "NotoSansArabic-Regular.ttf"
CJK_FONT = NOTO_CJK / "NotoSansCJK-Regular.ttc"
EMOJI_FONT = NOTO / "NotoColorEmoji.ttf"
BASELINE = 170


def needs(*paths: Path) -> None:
    for path in paths:
        if not path.is_file():
            package = {
                CJK_FONT: "fonts-noto-cjk",
                EMOJI_FONT: "fonts-noto-color-emoji",
            }.get(path, "fonts-noto-core")
            pytest.skip(f"{path} is not installed (Debian: apt-get install {package})")
    if not features.check("raqm"):
        pytest.skip("Pillow has no Raqm layout (libraqm and libfribidi are needed)")


def talk(title: str, *people: Person) -> Talk:
    return Talk(title, START, START + timedelta(minutes=45), "Room 2", list(people))


FAMILIES: dict[str, tuple[Talk, tuple[Path, ...]]] = {
    "greek-cyrillic": (
        talk(
            "Η αναπαραγωγιμότητα: Открытые данные",
            Person("Ζωή Παπαδοπούλου", "Πανεπιστήμιο Αθηνών"),
            Person("Дмитрий Шостакович", "МГУ"),
        ),
        (),
    ),
    "cjk": (
        talk(
            "王小明 (Wang Xiaoming): 数据共享と日本語、한국어",
            Person("王小明 (Wang Xiaoming)", "北京大学"),
            Person("山田太郎", "東京大学"),
            Person("김민준", "서울대학교"),
        ),
        (CJK_FONT,),
    ),
    "arabic-hebrew": (
        talk(
            "Keynote: مقدمة إلى علم البيانات",
            Person("محمد عبد الله", "جامعة القاهرة"),
            Person("דוד כהן", "האוניברסיטה העברית"),
        ),
        (ARABIC_FONT, NOTO / "NotoSansHebrew-Regular.ttf"),
    ),
    "indic": (
        talk(
            "नमस्ते दुनिया: हिन्दी, தமிழ், বাংলা",
            Person("प्रिया शर्मा", "IIT दिल्ली"),
            Person("அருண் குமார்", "சென்னை பல்கலைக்கழகம்"),
        ),
        (NOTO / "NotoSansDevanagari-Regular.ttf", NOTO / "NotoSansTamil-Regular.ttf"),
    ),
    "thai": (
        talk("การวิจัยที่ทำซ้ำได้", Person("สมชาย ใจดี", "จุฬาลงกรณ์มหาวิทยาลัย")),
        (NOTO / "NotoSansThai-Regular.ttf",),
    ),
    "emoji": (
        talk("Launch party 🎉 with 👩‍💻 and 🇬🇧", Person("Ada Lovelace 🚀", None)),
        (EMOJI_FONT,),
    ),
}


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    return sum(ImageStat.Stat(diff).mean) / 3


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_golden_cards_per_script_family(family: str) -> None:
    the_talk, fonts = FAMILIES[family]
    needs(*fonts)
    drawn = draw_card("talk", event=EVENT, talk=the_talk, size=SIZE)
    assert drawn.missing == []  # every character drawn: nothing left out
    card = render_card("talk", event=EVENT, talk=the_talk, size=SIZE)
    image = Image.open(io.BytesIO(card.data))
    golden = GOLDEN / f"talk-{family}.png"
    if REGEN:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        image.convert("RGB").save(golden, optimize=True)
    assert golden.is_file(), f"missing {golden}; run with LIVEPOST_REGEN_GOLDEN=1"
    assert mean_difference(image, Image.open(golden)) <= 1.0
    # Alt text keeps every name exactly as written, emoji and all.
    for person in the_talk.speakers:
        assert person.name in card.alt
    assert the_talk.title in card.alt
    assert card.alt == card_alt("talk", event=EVENT, talk=the_talk)


def glyph(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    image = Image.new("L", (100, 100))
    ImageDraw.Draw(image).text((10, 80), char, font=font, fill=255, anchor="ls")
    return image.tobytes()


def test_two_cjk_names_one_character_apart_give_different_cards() -> None:
    needs(CJK_FONT)
    one = draw_card("talk", event=EVENT, talk=talk("Data", Person("王小明")), size=SIZE)
    two = draw_card("talk", event=EVENT, talk=talk("Data", Person("王小朋")), size=SIZE)
    assert one.missing == two.missing == []
    names = [p for p in one.placements if p.block.lines == ("王小明",)]
    assert len(names) == 1, "the name is drawn whole, on its own line"
    left, top, right, bottom = (round(v) for v in names[0].box)
    crop = (left, top, right, bottom)
    assert ImageChops.difference(one.image.crop(crop), two.image.crop(crop)).getbbox()
    # No boxes: each character is drawn from the CJK font, not as the main font's .notdef box.
    chain = chain_from([Path(NOTO_CJK / "NotoSansCJK-Regular.ttc")])
    assert chain.missing("王小明朋") == ()
    notdef = ImageFont.truetype(str(names[0].chain.paths[0]), 60)
    cjk = ImageFont.truetype(str(CJK_FONT), 60, index=CJK_INDEX)
    boxes = {glyph(notdef, c) for c in "明朋"}
    assert len(boxes) == 1  # the main font draws both as the same box...
    assert glyph(cjk, "明") != glyph(cjk, "朋")  # ...the CJK font does not


# --- Arabic: the same glyphs HarfBuzz gives ------------------------------------------------------


class _Outline:
    """A fontTools-style pen collecting each contour as a flattened polygon."""

    def __init__(self, scale: float, x: float, baseline: float) -> None:
        self.scale, self.x, self.baseline = scale, x, baseline
        self.contours: list[list[tuple[float, float]]] = []
        self.current: tuple[float, float] = (0.0, 0.0)

    def _point(self, x: float, y: float) -> tuple[float, float]:
        return (self.x + x * self.scale, self.baseline - y * self.scale)

    def move_to(self, x: float, y: float) -> None:
        self.contours.append([self._point(x, y)])
        self.current = (x, y)

    def line_to(self, x: float, y: float) -> None:
        self.contours[-1].append(self._point(x, y))
        self.current = (x, y)

    def quadratic_to(self, cx: float, cy: float, x: float, y: float) -> None:
        (x0, y0), steps = self.current, 12
        for i in range(1, steps + 1):
            t = i / steps
            px = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t * t * x
            py = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t * t * y
            self.contours[-1].append(self._point(px, py))
        self.current = (x, y)

    def cubic_to(self, c1x: float, c1y: float, c2x: float, c2y: float, x: float, y: float) -> None:
        (x0, y0), steps = self.current, 12
        for i in range(1, steps + 1):
            t, u = i / steps, 1 - i / steps
            px = u**3 * x0 + 3 * u * u * t * c1x + 3 * u * t * t * c2x + t**3 * x
            py = u**3 * y0 + 3 * u * u * t * c1y + 3 * u * t * t * c2y + t**3 * y
            self.contours[-1].append(self._point(px, py))
        self.current = (x, y)

    def close_path(self) -> None:
        pass


def _area(contour: list[tuple[float, float]]) -> float:
    return sum(
        x0 * y1 - x1 * y0
        for (x0, y0), (x1, y1) in zip(contour, contour[1:] + contour[:1], strict=True)
    )


def harfbuzz_render(text: str, font_path: Path, size: int, canvas: tuple[int, int]) -> Image.Image:
    """Shape ``text`` with HarfBuzz and fill its glyph outlines at x=10 on ``BASELINE``."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(str(font_path)))
    font = hb.Font(face)
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(font, buffer, {})
    scale = size / face.upem
    mask = Image.new("1", canvas, 0)
    pen_x = 0.0
    funcs = hb.DrawFuncs()
    funcs.set_move_to_func(lambda x, y, pen: pen.move_to(x, y))
    funcs.set_line_to_func(lambda x, y, pen: pen.line_to(x, y))
    funcs.set_quadratic_to_func(lambda cx, cy, x, y, pen: pen.quadratic_to(cx, cy, x, y))
    funcs.set_cubic_to_func(lambda a, b, c, d, x, y, pen: pen.cubic_to(a, b, c, d, x, y))
    funcs.set_close_path_func(lambda pen: pen.close_path())
    for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
        outline = _Outline(
            scale, 10 + (pen_x + pos.x_offset) * scale, BASELINE - pos.y_offset * scale
        )
        font.draw_glyph(info.codepoint, funcs, outline)
        # Non-zero winding, glyph by glyph: contours turning like the largest one are ink, the
        # others holes (overlapping contours at Arabic joins must not cancel out).
        contours = [c for c in outline.contours if len(c) > 2]
        if contours:
            main = max(contours, key=lambda c: abs(_area(c)))
            ink = Image.new("1", canvas, 0)
            holes = Image.new("1", canvas, 0)
            for contour in contours:
                same = (_area(contour) > 0) == (_area(main) > 0)
                ImageDraw.Draw(ink if same else holes).polygon(contour, fill=1)
            glyph = ImageChops.subtract(ink.convert("L"), holes.convert("L")).convert("1")
            mask = ImageChops.logical_or(mask, glyph)
        pen_x += pos.x_advance
    return mask


def overlap(a: Image.Image, b: Image.Image) -> float:
    """Intersection over union of two masks."""
    a, b = a.convert("1"), b.convert("1")
    inter = ImageStat.Stat(ImageChops.logical_and(a, b).convert("L")).sum[0]
    union = ImageStat.Stat(ImageChops.logical_or(a, b).convert("L")).sum[0]
    return inter / union


def card_chain_render(text: str, size: int, canvas: tuple[int, int]) -> Image.Image:
    chain = chain_from([ARABIC_FONT])
    image = Image.new("RGB", canvas, (0, 0, 0))
    chain.draw(image, 10, BASELINE, text, size, (255, 255, 255))
    return image.convert("L").point(lambda v: 255 if v >= 128 else 0)


@pytest.mark.parametrize("name", ["محمد عبد الله", "فاطمة الزهراء", "جامعة القاهرة"])
def test_arabic_name_renders_the_glyphs_harfbuzz_shapes(name: str) -> None:
    pytest.importorskip("uharfbuzz")
    needs(ARABIC_FONT)
    canvas = (1300, 240)
    reference = harfbuzz_render(name, ARABIC_FONT, 120, canvas)
    drawn = card_chain_render(name, 120, canvas)
    assert overlap(drawn, reference) > 0.8  # measured 0.89-0.90: edges of antialiased strokes
    # Control: the letters unshaped (isolated forms, left to right) are clearly something else.
    basic = ImageFont.truetype(str(ARABIC_FONT), 120, layout_engine=ImageFont.Layout.BASIC)
    unshaped = Image.new("L", canvas, 0)
    ImageDraw.Draw(unshaped).text((10, BASELINE), name, font=basic, fill=255, anchor="ls")
    assert overlap(unshaped.point(lambda v: 255 if v >= 128 else 0), reference) < 0.3  # 0.13


def test_mixed_direction_runs_are_ordered_by_the_bidi_algorithm() -> None:
    text = "Keynote: محمد عبد الله (Cairo) 2026"
    char_levels = levels(text)
    assert set(char_levels[:9]) == {0} and char_levels[text.index("م")] == 1
    assert char_levels[text.index("C")] == 0 and char_levels[-1] == 0
    # An Arabic title with an English word: the paragraph is right to left, the word is not.
    arabic_first = "مقدمة إلى Python للمبتدئين"
    lv = levels(arabic_first)
    assert lv[0] == 1 and lv[arabic_first.index("P")] == 2
    assert visual_order(["a", "b", "c"], [1, 2, 1]) == ["c", "b", "a"]
    assert visual_order(["a", "b", "c"], [0, 1, 1]) == ["a", "c", "b"]


def test_mixed_direction_card_line_draws_runs_in_visual_order() -> None:
    needs(ARABIC_FONT)
    chain = chain_from([FONTS / "NotoSans-Regular.ttf"], system=True)
    line = "مقدمة إلى Python"
    runs = chain.runs(line)
    assert [(r.text, r.level) for r in runs] == [("مقدمة إلى ", 1), ("Python", 2)]
    # Right-to-left paragraph: the English word is drawn to the left of the Arabic.
    canvas = Image.new("RGB", (800, 120))
    chain.draw(canvas, 10, 80, line, 48, (255, 255, 255))
    latin_alone = Image.new("RGB", (800, 120))
    chain.draw(latin_alone, 10, 80, "Python", 48, (255, 255, 255))
    python_box = latin_alone.getbbox()
    assert python_box is not None
    assert canvas.crop(python_box).tobytes() == latin_alone.crop(python_box).tobytes()


# --- text no font covers -------------------------------------------------------------------------

UNCOVERED = "\U000f0000"  # Supplementary Private Use Area-A: no font here has it


def test_a_name_no_font_covers_is_left_out_whole_and_reported() -> None:
    the_talk = talk("Open data", Person(f"Ada{UNCOVERED} Lovelace", "Analytical Engines"))
    drawn = draw_card("talk", event=EVENT, talk=the_talk)
    assert [(m.element, m.chars) for m in drawn.missing] == [("element.4", (UNCOVERED,))]
    assert drawn.missing[0].describe() == (
        f"'{UNCOVERED}' (U+F0000) in \"Ada{UNCOVERED} Lovelace, Analytical Engines\": install "
        "a font with this character in the event's assets/fonts/"
    )
    elements = {p.element: p.block.lines for p in drawn.placements}
    assert elements["element.3"] == ("Open data",) and "element.4" not in elements
    assert f"Ada{UNCOVERED} Lovelace" in card_alt("talk", event=EVENT, talk=the_talk)


def test_chinese_and_japanese_wrap_between_characters_not_only_at_spaces() -> None:
    needs(CJK_FONT)
    chain = chain_from([FONTS / "NotoSans-Regular.ttf"], system=True)
    title = "开放科学与可重复研究：二十年来复制研究告诉我们的关于开放数据共享代码和注册报告的经验"
    block = fit_text(title, chain, 500, 300, max_size=48, min_size=30)
    assert block.size == 48 and not block.truncated and len(block.lines) > 1
    assert "".join(block.lines) == title  # nothing lost, no spaces added
    assert not any(line.startswith(("：", "、", "。")) for line in block.lines)


def test_without_raqm_no_direction_is_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pillow without Raqm refuses any text direction: cards must still draw (unshaped)."""
    import livepost.cards.fonts as fonts

    monkeypatch.setattr(fonts, "HAVE_RAQM", False)
    assert fonts.Run(0, "abc", 1).direction is None
    drawn = draw_card("talk", event=EVENT, talk=talk("Plain title", Person("Ada")), size=SIZE)
    assert {p.block.lines for p in drawn.placements} >= {("Plain title",), ("Ada",)}
