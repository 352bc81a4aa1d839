"""Tesseract OCR: which languages it reads, and one page image to text with confidences.

Tesseract is a system program (Debian's `tesseract-ocr`, with `tesseract-ocr-eng`
and `tesseract-ocr-mya` for English and Burmese; `tools/sysdeps.py` installs
them), driven through `pytesseract`. A page becomes its words, lines and
paragraphs as Tesseract found them, and the mean confidence of its words.

Languages are Tesseract's codes joined by "+" ("eng+mya"). Without a choice,
an import reads scans in the archive's own languages (the languages of its
articles, most common first), else English.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import text as sql

from archive.errors import SesameError
from archive.ingest.errors import UnreadableFile

if TYPE_CHECKING:
    from PIL.Image import Image

    from archive.store import Archive

INSTALL_HINT = (
    "install Tesseract OCR (Debian/Ubuntu: sudo apt-get install tesseract-ocr "
    "tesseract-ocr-eng tesseract-ocr-mya; or run `make sysdeps`), then import it again"
)
DEFAULT_LANGUAGES = "eng"
# A page that takes longer than this is given up (a damaged or absurd image
# can keep Tesseract busy for many minutes); an A4 page at 300 dpi takes 2-6 s.
PAGE_TIMEOUT = 120.0
# More languages at once make Tesseract slower and less sure of each.
_MAX_DEFAULT_LANGUAGES = 3
# Burmese stacks vowel signs and tone marks above and below a small base;
# Tesseract's line finder took the marks above each line for a line of their
# own (a rendered Burmese page read back 19-38% of its characters right).
# Lines at least 2.5 x-heights tall (the default is 1.25) read 96% right, and
# English pages at 1.3 line spacing still read 100% (measured, bench/ocr_bench.py).
_MYANMAR_CONFIG = "-c textord_min_linesize=2.5"
# Tesseract's OpenMP threads spin while they wait: on two cores busy with other
# work an A4 page took 77 s with them and 30 s with one thread (bench/ocr_bench.py).
# One thread a page, unless the person running Sesame chose otherwise.
_OMP_THREADS = "1"

# ISO 639-1 (what the importer guesses for an article) -> Tesseract's language code.
ISO_TO_TESSERACT = {
    "am": "amh",
    "ar": "ara",
    "bn": "ben",
    "bo": "bod",
    "de": "deu",
    "el": "ell",
    "en": "eng",
    "es": "spa",
    "fa": "fas",
    "fr": "fra",
    "he": "heb",
    "hi": "hin",
    "id": "ind",
    "it": "ita",
    "ja": "jpn",
    "ka": "kat",
    "km": "khm",
    "ko": "kor",
    "lo": "lao",
    "ms": "msa",
    "my": "mya",
    "ne": "nep",
    "nl": "nld",
    "pt": "por",
    "ru": "rus",
    "si": "sin",
    "ta": "tam",
    "th": "tha",
    "tr": "tur",
    "uk": "ukr",
    "ur": "urd",
    "vi": "vie",
    "zh": "chi_sim",
}


class OcrUnavailable(UnreadableFile):
    """The Tesseract program is not installed: the message says what to install."""


class UnknownLanguage(SesameError):
    """An OCR language Tesseract has no data for (a usage error)."""


@dataclass(frozen=True)
class PageText:
    """What Tesseract read on one page."""

    text: str  # lines joined by "\n", paragraphs by a blank line
    confidence: float | None  # mean word confidence, 0..100 (None: no words)
    words: int


def tesseract_program() -> str | None:
    """The path of the `tesseract` program, or None when it is not installed."""
    return shutil.which("tesseract")


@lru_cache(maxsize=4)
def _languages_of(program: str) -> frozenset[str]:
    try:
        done = subprocess.run(
            [program, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    # 'List of available languages in "/usr/share/tesseract-ocr/5/tessdata/" (3):'
    lines = (done.stdout or done.stderr).splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip() and " " not in line)


def installed_languages() -> frozenset[str]:
    """Languages the installed Tesseract has data for ("osd" is not a language)."""
    program = tesseract_program()
    if program is None:
        raise OcrUnavailable(f"the Tesseract OCR program is not installed; {INSTALL_HINT}")
    return _languages_of(program) - {"osd"}


def check_languages(spec: str) -> str:
    """`spec` ("eng+mya", "eng,mya", "mya") in Tesseract's form, each language installed.

    Raises UnknownLanguage naming the installed ones, OcrUnavailable when there
    is no Tesseract at all.
    """
    codes = [code.strip() for code in spec.replace(",", "+").split("+") if code.strip()]
    if not codes:
        raise UnknownLanguage("no OCR language given; e.g. --ocr-lang eng or eng+mya")
    installed = installed_languages()
    unknown = [code for code in codes if code not in installed]
    if unknown:
        have = "+".join(sorted(installed)) or "none"
        raise UnknownLanguage(
            f"Tesseract has no data for OCR language {', '.join(unknown)} (installed: {have}); "
            "install its package (Debian: tesseract-ocr-CODE, e.g. tesseract-ocr-mya)"
        )
    return "+".join(dict.fromkeys(codes))


def languages_for(iso_codes: Iterable[str], installed: frozenset[str]) -> str:
    """Tesseract languages for article languages (most common first), else English."""
    chosen: list[str] = []
    for iso in iso_codes:
        code = ISO_TO_TESSERACT.get(iso)
        if code and code in installed and code not in chosen:
            chosen.append(code)
        if len(chosen) == _MAX_DEFAULT_LANGUAGES:
            break
    return "+".join(chosen) if chosen else DEFAULT_LANGUAGES


def archive_languages(archive: Archive) -> str:
    """The OCR languages of an import into `archive` when none was chosen."""
    with archive.engine.connect() as conn:
        rows = conn.execute(
            sql(
                "SELECT language FROM article WHERE language IS NOT NULL AND language != '' "
                "AND retracted_at IS NULL GROUP BY language ORDER BY COUNT(*) DESC, language"
            )
        ).all()
    try:
        installed = installed_languages()
    except OcrUnavailable:
        return DEFAULT_LANGUAGES
    return languages_for([row[0] for row in rows], installed)


def tesseract_version() -> str:
    """ "tesseract 5.3.0", for the record of how a text was read ("" if unknown)."""
    program = tesseract_program()
    return _version_of(program) if program else ""


@lru_cache(maxsize=4)
def _version_of(program: str) -> str:
    try:
        done = subprocess.run(
            [program, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    lines = (done.stdout or done.stderr).splitlines()
    return lines[0].strip() if lines else ""


def recognise(image: Image, languages: str, timeout: float = PAGE_TIMEOUT) -> PageText:
    """Read one page image with Tesseract.

    Raises OcrUnavailable without Tesseract, UnreadableFile when Tesseract fails
    or takes longer than `timeout` seconds.
    """
    import pytesseract

    program = tesseract_program()
    if program is None:
        raise OcrUnavailable(f"the Tesseract OCR program is not installed; {INSTALL_HINT}")
    pytesseract.pytesseract.tesseract_cmd = program
    os.environ.setdefault("OMP_THREAD_LIMIT", _OMP_THREADS)  # read by the Tesseract it starts
    config = "--psm 3"
    if "mya" in languages.split("+"):
        config += " " + _MYANMAR_CONFIG
    try:
        data = pytesseract.image_to_data(
            image,
            lang=languages,
            config=config,
            timeout=timeout,
            output_type=pytesseract.Output.DICT,
        )
    except pytesseract.TesseractNotFoundError as exc:
        raise OcrUnavailable(
            f"the Tesseract OCR program could not be started; {INSTALL_HINT}"
        ) from exc
    except pytesseract.TesseractError as exc:
        message = " ".join(str(exc.message).split())[:300]
        raise UnreadableFile(f"Tesseract could not read a page ({message})") from exc
    except RuntimeError as exc:  # pytesseract's "Tesseract process timeout"
        raise UnreadableFile(
            f"a page took Tesseract longer than {timeout:.0f} s to read and was given up; "
            "scan it again at 300 dpi, or crop it"
        ) from exc
    return page_text(data)


def page_text(data: dict[str, list[Any]]) -> PageText:
    """Text and mean confidence from Tesseract's word table (`image_to_data`)."""
    paragraphs: list[list[list[str]]] = []
    confidences: list[float] = []
    last_paragraph: tuple[int, int] | None = None
    last_line: tuple[int, int, int] | None = None
    for index, word in enumerate(data.get("text", [])):
        if int(data["level"][index]) != 5:
            continue
        word = " ".join(str(word).split())
        if not word:
            continue
        paragraph = (int(data["block_num"][index]), int(data["par_num"][index]))
        line = (*paragraph, int(data["line_num"][index]))
        if paragraph != last_paragraph:
            paragraphs.append([])
            last_paragraph, last_line = paragraph, None
        if line != last_line:
            paragraphs[-1].append([])
            last_line = line
        paragraphs[-1][-1].append(word)
        confidence = float(data["conf"][index])
        if confidence >= 0:
            confidences.append(confidence)
    text = "\n\n".join("\n".join(" ".join(words) for words in lines) for lines in paragraphs)
    mean = round(sum(confidences) / len(confidences), 1) if confidences else None
    return PageText(text, mean, sum(len(line) for lines in paragraphs for line in lines))
