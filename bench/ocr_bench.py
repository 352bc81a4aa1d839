"""OCR throughput of scans in pages per minute, English and Burmese (issue 14; docs/benchmarks.md).

Renders full A4 pages at 300 dpi with Pillow (about 330 English words, or 40
lines of Burmese, a page; news-style sentences written for this benchmark),
saves each language's pages as one PDF without a text layer (or, with
`--as png`, as one PNG a page), and imports it
into a fresh archive (search index off): every page drawn by pdfium and read
by Tesseract. The yardstick, from the same run: the same words imported as
plain-text files, one per page. Also prints how much of the text came back
(words in order for English, characters for Burmese) and the mean confidence.

    .venv/bin/python bench/ocr_bench.py [--pages 6] [--omp-threads N]

Sesame runs Tesseract with one thread a page (OMP_THREAD_LIMIT=1, see
archive/ingest/ocr.py); `--omp-threads 2` measures it with two. Burmese pages
are set at 1.9 times the font size, as Burmese is typeset (its stacked marks
need the room); `--burmese-leading 1.5` sets them tighter.
"""

from __future__ import annotations

import argparse
import difflib
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw, ImageFont

from archive.ingest import import_paths
from archive.models import Article
from archive.store import Archive

# A floor, not a goal: an A4 page in under 30 s even on two busy cores (the page timeout is 120 s).
TARGET_PAGES_PER_MINUTE = 2.0
WIDTH, HEIGHT, MARGIN = 2480, 3508, 200  # A4 at 300 dpi

ENGLISH = [
    "More than 600 police officers arrived in the town on Monday morning.",
    "Witnesses said traders gathered near the jade market for a third day.",
    "At least 19 officers were injured in the clashes that followed.",
    "The township office said the roads would stay closed until Friday.",
    "A spokesperson for the union told reporters that the strike would go on.",
    "Residents counted about 1,500 people near the bus station at noon.",
    "The district court postponed the hearing of the detained teachers.",
    "Local volunteers delivered rice and medicine to the displaced families.",
    "According to the report, the soldiers left the village before dawn.",
    "Nobody answered calls to the regional government office on Tuesday.",
]
BURMESE = [
    "ရန်ကုန်မြို့တွင် ဆန္ဒပြပွဲများ ဖြစ်ပွားခဲ့သည်။",
    "ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော် ရောက်ရှိခဲ့သည်။",
    "မန္တလေးတိုင်းဒေသကြီး၌ လူထုအစည်းအဝေး ကျင်းပခဲ့သည်။",
    "ကျေးရွာသားများ ဘေးလွတ်ရာသို့ ထွက်ပြေးခဲ့ကြသည်။",
    "ဆရာဆရာမ များ သပိတ်မှောက်ခဲ့ကြသည်။",
    "ဒေသခံများက စားနပ်ရိက္ခာ လှူဒါန်းခဲ့ကြသည်။",
]


def font_file(lang: str) -> str:
    done = subprocess.run(
        ["fc-match", "-f", "%{file}", f":lang={lang}:style=Regular"],
        capture_output=True,
        text=True,
        check=False,
    )
    if not done.stdout.strip():
        sys.exit(f"no font for {lang}: run `make sysdeps`")
    return done.stdout.strip()


def page_lines(
    sentences: list[str], font: ImageFont.FreeTypeFont, rng: random.Random, step: int
) -> list[str]:
    """Sentences in a shuffled order, wrapped at spaces to fill one page."""
    rows = (HEIGHT - 2 * MARGIN) // step
    lines: list[str] = []
    line = ""
    while len(lines) < rows:
        for word in rng.choice(sentences).split():
            candidate = f"{line} {word}".strip()
            if font.getlength(candidate) > WIDTH - 2 * MARGIN:
                lines.append(line)
                line = word
            else:
                line = candidate
    return lines[:rows]


def render(lines: list[str], font: ImageFont.FreeTypeFont, step: int) -> Image.Image:
    page = Image.new("L", (WIDTH, HEIGHT), 255)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(lines):
        draw.text((MARGIN, MARGIN + number * step), line, font=font, fill=0)
    return page


def write_set(
    folder: Path, lang: str, sentences: list[str], pages: int, leading: float | None, kind: str
) -> list[list[str]]:
    """One PDF of `pages` scanned pages and the same words as text files; returns the lines."""
    font = ImageFont.truetype(font_file(lang), 42, layout_engine=ImageFont.Layout.RAQM)
    step = int(42 * leading) if leading else sum(font.getmetrics())
    rng = random.Random(7)
    texts = [page_lines(sentences, font, rng, step) for _ in range(pages)]
    images = [render(lines, font, step) for lines in texts]
    scans = folder / "scans"
    plain = folder / "text"
    scans.mkdir(parents=True)
    plain.mkdir()
    if kind == "pdf":  # Pillow stores each page in the PDF as a JPEG, as many scanners do
        out = io.BytesIO()
        images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=300)
        (scans / f"{lang}.pdf").write_bytes(out.getvalue())
    else:  # one lossless PNG a page
        for number, image in enumerate(images):
            image.save(scans / f"{lang}-{number:03d}.png", dpi=(300, 300))
    for number, lines in enumerate(texts):
        (plain / f"{lang}-{number:03d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return texts


def timed_import(folder: Path, languages: str) -> tuple[float, Archive, int]:
    archive = Archive.open(Path(tempfile.mkdtemp(prefix="ocr-bench-arch-")), create=True)
    began = time.perf_counter()
    result = import_paths(archive, [folder], index=False, ocr_languages=languages)
    seconds = time.perf_counter() - began
    if result.failed:
        sys.exit(f"import failed: {result.failed[:3]}")
    return seconds, archive, len(result.imported)


def read_back(archive: Archive) -> tuple[str, float | None]:
    from sqlmodel import col, select

    with archive.session() as session:
        found = session.exec(select(Article).order_by(col(Article.imported_from))).all()
    words = sum(len(a.text.split()) for a in found) or 1
    mean = sum((a.ocr_confidence or 0) * len(a.text.split()) for a in found) / words
    return "\n".join(a.text for a in found), round(mean, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6, help="pages per language (default 6)")
    parser.add_argument("--omp-threads", type=int, help="OMP_THREAD_LIMIT for Tesseract")
    parser.add_argument("--as", dest="kind", choices=["pdf", "png"], default="pdf")
    parser.add_argument("--burmese-leading", type=float, default=1.9, help="line step / font size")
    args = parser.parse_args()
    if not shutil.which("tesseract"):
        sys.exit("Tesseract is not installed: run `make sysdeps`")
    if args.omp_threads:
        os.environ["OMP_THREAD_LIMIT"] = str(args.omp_threads)
    threads = os.environ.get("OMP_THREAD_LIMIT", "1 (Sesame's default)")
    print(
        f"load average {os.getloadavg()[0]:.1f}; {args.pages} A4 pages per language at 300 dpi; "
        f"Tesseract threads a page: {threads}; Burmese leading {args.burmese_leading}"
    )
    ok = True
    sets = (("en", "eng", ENGLISH, None), ("my", "mya", BURMESE, args.burmese_leading))
    for lang, code, sentences, leading in sets:
        with tempfile.TemporaryDirectory(prefix="ocr-bench-") as tmp:
            texts = write_set(Path(tmp), lang, sentences, args.pages, leading, args.kind)
            plain_s, _, plain_n = timed_import(Path(tmp) / "text", code)
            ocr_s, archive, _ = timed_import(Path(tmp) / "scans", code)
            text, confidence = read_back(archive)
            expected = "\n".join("\n".join(lines) for lines in texts)
            if lang == "en":
                ref, got = expected.split(), text.split()
                unit = "words"
            else:
                ref, got = list("".join(expected.split())), list("".join(text.split()))
                unit = "characters"
            matcher = difflib.SequenceMatcher(None, ref, got, autojunk=False)
            right = sum(b.size for b in matcher.get_matching_blocks()) / len(ref)
            rate = args.pages / ocr_s * 60
            print(
                f"{code}: OCR {args.pages} pages in {ocr_s:.1f} s = {rate:.1f} pages/min "
                f"({ocr_s / args.pages:.1f} s a page); {right:.1%} of the {unit} right, "
                f"mean confidence {confidence}; yardstick: the same words as {plain_n} "
                f"text files in {plain_s:.2f} s = {plain_n / plain_s * 60:.0f} pages/min"
            )
            ok = ok and rate >= TARGET_PAGES_PER_MINUTE
            archive.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
