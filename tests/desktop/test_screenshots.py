"""tools/screenshots.py drives the real window and saves the guide's pictures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from desktop.resources import guide_images_dir, guide_path

ROOT = Path(__file__).resolve().parents[2]


def test_screenshots_of_the_real_app(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "screenshots.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for name in ("library.png", "search.png", "reader.png", "reader-dark.png"):
        image = QImage(str(tmp_path / name))
        assert not image.isNull() and image.width() >= 1000, name
    # The guide shows exactly these pictures.
    guide = guide_path().read_text(encoding="utf-8")
    for name in ("library.png", "search.png", "reader.png", "reader-dark.png"):
        assert f"img/{name}" in guide
        assert (guide_images_dir() / name).exists()
