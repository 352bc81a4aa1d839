"""Scanned pages the OCR tests make themselves: text rendered by Pillow, as PNG, TIFF or PDF.

Pages are small (a few lines at 300 dpi) so that Tesseract reads each in about
a second. The Burmese font is found with fontconfig (`tools/sysdeps.py`
installs Padauk); tests that need Tesseract use `needs_tesseract`, which fails
rather than skips in CI (`make test` installs it there).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from functools import lru_cache

import pytest
from PIL import Image, ImageDraw, ImageFont

# Written for these tests, in the style of the reports Sesame's users keep.
ENGLISH = [
    "Police surround the market in Hpakant",
    "",
    "More than 600 police officers arrived in the town on Monday morning,",
    "witnesses said, as traders gathered near the jade market for a third day.",
    "At least 19 officers were injured in the clashes that followed, and",
    "the township office said the roads would stay closed until Friday.",
]
# "Protests took place in Yangon." / "More than 600 police arrived." /
# "A public meeting was held in Mandalay Region."
BURMESE = [
    "ရန်ကုန်မြို့တွင် ဆန္ဒပြပွဲများ ဖြစ်ပွားခဲ့သည်။",
    "ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော် ရောက်ရှိခဲ့သည်။",
    "မန္တလေးတိုင်းဒေသကြီး၌ လူထုအစည်းအဝေး ကျင်းပခဲ့သည်။",
]
BURMESE_KEY_WORDS = ["ဆန္ဒပြပွဲများ", "ရန်ကုန်", "လူထုအစည်းအဝေး"]


def needs_tesseract() -> None:
    """Skip without Tesseract (English and Burmese data) here; fail in CI."""
    program = shutil.which("tesseract")
    langs = ""
    if program:
        langs = subprocess.run(
            [program, "--list-langs"], capture_output=True, text=True, check=False
        ).stdout
    if program and {"eng", "mya"} <= set(langs.split()):
        return
    if os.environ.get("CI"):
        pytest.fail("Tesseract with eng and mya data is missing: `make test` runs tools/sysdeps.py")
    pytest.skip("Tesseract OCR (with eng and mya data) is not installed; run `make sysdeps`")


@lru_cache(maxsize=4)
def font_file(lang: str) -> str:
    """A regular font file covering `lang` ("my", "en"), as fontconfig picks it."""
    matched = subprocess.run(
        ["fc-match", "-f", "%{file}", f":lang={lang}:style=Regular"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    covering = subprocess.run(
        ["fc-list", f":lang={lang}", "file"], capture_output=True, text=True, check=False
    ).stdout
    if not matched or matched not in covering:
        pytest.skip(f"no font for language {lang!r} (tools/sysdeps.py installs one)")
    return matched


def render(lines: list[str], lang: str = "en", size: int = 42, width: int = 1900) -> Image.Image:
    """Lines of text on a white page, black, at the font's own line spacing (300 dpi)."""
    font = ImageFont.truetype(font_file(lang), size, layout_engine=ImageFont.Layout.RAQM)
    ascent, descent = font.getmetrics()
    step = ascent + descent
    page = Image.new("L", (width, 160 + step * len(lines)), 255)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(lines):
        draw.text((80, 80 + number * step), line, font=font, fill=0)
    page.info["dpi"] = (300, 300)
    return page


def encode(pages: list[Image.Image], kind: str) -> bytes:
    """Pages as one file: "png" (the first page), "tiff" (every page) or "pdf" (no text layer)."""
    out = io.BytesIO()
    first, rest = pages[0], pages[1:]
    if kind == "png":
        first.save(out, "PNG", dpi=(300, 300))
    elif kind == "tiff":
        first.save(out, "TIFF", save_all=True, append_images=rest, dpi=(300, 300))
    else:
        first.save(out, "PDF", save_all=True, append_images=rest, resolution=300)
    return out.getvalue()


def words_right(expected: list[str], found: str) -> float:
    """The share of the expected words read back, in order (difflib's matching blocks)."""
    import difflib

    reference = " ".join(expected).split()
    matcher = difflib.SequenceMatcher(None, reference, found.split(), autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(reference)
