#!/usr/bin/env python3
"""Screenshots of the real app for the user guide, taken offscreen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py [OUT_DIR]

The pictures go to desktop/resources/guide/img/, beside the guide (both ship
in the package). Builds a throw-away archive from the demo articles, tags a
few passages with the archive's own functions, then drives the real main
window (library, search, reader) and saves what it shows. Nothing touches the
person's own archive or settings.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Tags placed on the demo strike article: (quote, type, entity or None, occurrence).
DEMO_TAGS = [
    ("Ms. Ana Korsa", "actor", "Ana Korsa", 1),
    ("Inspector General Tomas Rell", "actor", "Tomas Rell", 1),
    ("Governor Elias Varn", "actor", "Elias Varn", 1),
    ("a strike that began on 2 March", "event", "Port Derin dockworkers' strike", 1),
    ("riot police entered the workers' camp", "event", "Pier 7 camp raid", 1),
    ("More than 1,200 dockworkers", "figure", "dockworkers on strike", 1),
    ("At least 35 people were detained", "figure", "people detained at Pier 7", 1),
]


def wait_until(app: object, done: Callable[[], bool], timeout: float = 30.0) -> None:
    """Process events until `done()` holds (or fail loudly)."""
    end = time.monotonic() + timeout
    while not done():
        app.processEvents()  # type: ignore[attr-defined]
        if time.monotonic() > end:
            raise SystemExit("screenshots: timed out waiting for the window")
        time.sleep(0.01)


def settle(app: object, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.01)


def _tag_demo(archive: object, article_id: str) -> None:
    from archive.annotate import create_annotation, find_quote
    from archive.library import article_text

    text = article_text(archive, article_id)
    for quote, type_key, entity, occurrence in DEMO_TAGS:
        start, end = find_quote(text, quote, occurrence)
        create_annotation(archive, article_id, start, end, type_key, entity_name=entity)


def main(argv: list[str]) -> int:
    from desktop.resources import guide_images_dir

    out = Path(argv[0]) if argv else guide_images_dir()
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="sesame-shots-"))
    os.environ["SESAME_CONFIG_DIR"] = str(tmp / "config")
    os.environ["SESAME_USER"] = "Aye Chan"
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if os.environ["QT_QPA_PLATFORM"] == "offscreen":
        # A laptop-sized screen: the window is fitted to its screen, and the
        # offscreen one is 800x800 unless told otherwise.
        screen = tmp / "screen.json"
        screen.write_text(
            '{"screens": [{"name": "shots", "x": 0, "y": 0, "width": 1366, "height": 900}]}'
        )
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"

    from archive.ingest import import_paths
    from archive.store import Archive
    from desktop.app import make_application
    from desktop.first_run import demo_files
    from desktop.main_window import create_main_window
    from desktop.settings import Settings
    from desktop.theme import apply_theme

    app = make_application([])
    apply_theme(app, "light")
    archive = Archive.open(tmp / "archive", create=True)
    report = import_paths(archive, demo_files())
    strike = next(i.id for i in report.imported if "strike" in i.title.lower())
    _tag_demo(archive, strike)

    window = create_main_window(archive, Settings())
    window.resize(1280, 800)  # the default size on a 1366 x 768 laptop or larger
    window.show()
    wait_until(app, lambda: window.library.model.rowCount() == len(report.imported))
    settle(app)
    window.library.table.selectRow(0)
    settle(app)
    saved = []

    def shot(name: str) -> None:
        path = out / name
        window.grab().save(str(path))
        saved.append(path)

    shot("library.png")

    shown: list[int] = []
    window.search.hitsShown.connect(shown.append)
    window.focus_search()
    window.search.search("police")
    wait_until(app, lambda: bool(shown))
    settle(app)
    shot("search.png")

    shown_article: list[str] = []
    window.ctx.articleShown.connect(shown_article.append)
    window.library_dock.raise_()
    # As if opened from the "police" search: the matches are marked too.
    from archive.library import article_text

    strike_text = article_text(archive, strike).lower()
    matches = [[i, i + 6] for i in range(len(strike_text)) if strike_text.startswith("police", i)]
    window.ctx.open_article(strike, matches)
    wait_until(app, lambda: strike in shown_article, timeout=10)
    # The first match opens selected (ready for a tag key); show its marking instead.
    window.reader.view.place_caret(0)
    settle(app, 0.5)
    shot("reader.png")

    apply_theme(app, "dark")
    settle(app, 0.5)
    shot("reader-dark.png")
    apply_theme(app, "light")

    window.shutdown()
    window.close()
    archive.close()
    for path in saved:
        print(f"screenshots: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
