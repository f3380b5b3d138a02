"""Small PNG bar charts for mail (Pillow): drawn at twice their display size, saved with a small palette. The
callers pass the values to scale the bars by and the display strings to print; nothing here formats money."""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

SCALE = 2  # pixels per CSS pixel: sharp on high-density screens
WIDTH = 560  # CSS pixels, the width of the mail's content column

INK, MUTED, RULE = (31, 35, 40), (89, 99, 110), (208, 213, 219)
BAR, WEEKEND, DEAREST = (75, 123, 209), (160, 184, 228), (209, 96, 75)
NO_DATA = (238, 241, 244)


@dataclass(frozen=True)
class Column:
    label: str  # under the bar
    value: float  # the bar's height, relative to the others
    weekend: bool = False
    callout: str = ""  # printed above the bar (the dearest day's cost)
    no_data: bool = False  # a day without data: a shaded slot, no bar


@dataclass(frozen=True)
class Bar:
    label: str  # left of the bar
    value: float  # the bar's length, relative to the others
    text: str  # right of the bar


def _font(size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size * SCALE)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.quantize(colors=32, method=Image.Quantize.MEDIANCUT).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _canvas(height: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH * SCALE, height * SCALE), "white")
    return image, ImageDraw.Draw(image)


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: float) -> str:
    """text, cut with an ellipsis to fit width (device pixels)."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def _dashes(draw: ImageDraw.ImageDraw, x0: float, x1: float, y: float) -> None:
    for x in range(int(x0), int(x1), 8 * SCALE):
        draw.line((x, y, min(x + 4 * SCALE, x1), y), fill=MUTED, width=SCALE)


def columns_png(columns: list[Column], reference: tuple[float, str] | None = None, height: int = 200) -> bytes:
    """Vertical bars, one per column, labelled underneath (a no_data column is a shaded slot without a bar);
    reference = (value, text) draws a dashed line across, named in a legend above the bars."""
    image, draw = _canvas(height)
    s, small, label_font = SCALE, _font(10), _font(11)
    top, bottom, left, right = 36 * s, (height - 20) * s, 4 * s, (WIDTH - 4) * s
    peak = max([c.value for c in columns] + [reference[0] if reference else 0]) or 1
    slot = (right - left) / max(len(columns), 1)
    gap = max(slot * 0.18, s)

    def y(value: float) -> float:
        return bottom - (bottom - top) * value / peak

    for i, column in enumerate(columns):
        x0, x1 = left + i * slot + gap / 2, left + (i + 1) * slot - gap / 2
        colour = DEAREST if column.callout else WEEKEND if column.weekend else BAR
        if column.no_data:
            draw.rectangle((x0, top, x1, bottom), fill=NO_DATA)
        elif column.value > 0:
            draw.rectangle((x0, min(y(column.value), bottom - s), x1, bottom), fill=colour)
        centre = (x0 + x1) / 2
        draw.text((centre, bottom + 4 * s), column.label, font=small, anchor="mt",
                  fill=MUTED if column.weekend or column.no_data else INK)
        if column.callout:
            anchor = "rb" if centre > right - 40 * s else "lb" if centre < left + 40 * s else "mb"
            draw.text((centre, y(column.value) - 3 * s), column.callout, font=label_font, anchor=anchor, fill=DEAREST)
    draw.line((left, bottom, right, bottom), fill=RULE, width=s)
    if reference:
        _dashes(draw, left, right, y(reference[0]))
        text_left = right - draw.textlength(reference[1], font=label_font)
        draw.text((text_left, 8 * s), reference[1], font=label_font, anchor="lm", fill=MUTED)
        _dashes(draw, text_left - 30 * s, text_left - 6 * s, 8 * s)
    return _png(image)


def bars_png(bars: list[Bar], label_width: int = 150, text_width: int = 120) -> bytes:
    """Horizontal bars, one per row: the label, the bar, the text."""
    row = 26
    image, draw = _canvas(row * len(bars) + 8)
    s, font = SCALE, _font(12)
    bar_left, bar_right = (label_width + 8) * s, (WIDTH - text_width) * s
    peak = max([b.value for b in bars]) or 1
    for i, bar in enumerate(bars):
        middle = (4 + i * row + row / 2) * s
        draw.text((0, middle), _fit(draw, bar.label, font, label_width * s), font=font, anchor="lm", fill=INK)
        draw.rectangle((bar_left, middle - 8 * s, bar_right, middle + 8 * s), fill=(238, 241, 244))
        if bar.value > 0:
            end = bar_left + max((bar_right - bar_left) * bar.value / peak, s)
            draw.rectangle((bar_left, middle - 8 * s, end, middle + 8 * s), fill=BAR)
        draw.text((bar_right + 8 * s, middle), bar.text, font=font, anchor="lm", fill=INK)
    return _png(image)
