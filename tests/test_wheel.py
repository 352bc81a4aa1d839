"""The wheel is the whole program: build it, install it in a fresh venv, use it.

The source (pyproject, README, archive/, desktop/) is copied to a temporary
folder and built there, so nothing outside the packages can leak in, and the
installed `sesame` runs from another temporary folder. The fresh venv gets
the wheel only (`--no-deps`); the dependencies come from the development
venv through a .pth line (its own .pth files, among them the editable
install of this source tree, are not processed that way), which saves
reinstalling PySide6 and friends. Each test checks that `archive` and
`desktop` are imported from the fresh venv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]

FIRST_RUN = """
import json, sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

from archive.store import Archive
from desktop import settings as st
from desktop.app import make_application
from desktop.first_run import maybe_run_first_run
from desktop.main_window import create_main_window
from desktop.resources import guide_images_dir, guide_path

app = make_application([])
archive = Archive.open(Path(sys.argv[1]), create=True)
window = create_main_window(archive, st.Settings())
window.show()
dialog = maybe_run_first_run(window)
summary = {}
loop = QEventLoop()
window.importer.importFinished.connect(lambda s: (summary.update(s), loop.quit()))
QTimer.singleShot(60000, loop.quit)
offered = dialog.demo_box.isChecked()
dialog.name_edit.setText("Wheel Test")
dialog.accept()
loop.exec()
window.shutdown()
archive.close()
print(json.dumps({
    "offered": offered,
    "imported": len(summary.get("imported", [])),
    "failed": len(summary.get("failed", [])),
    "guide": str(guide_path()),
    "guide_text": guide_path().read_text(encoding="utf-8")[:200],
    "images": sorted(p.name for p in guide_images_dir().iterdir()),
}))
"""


class Installed:
    """A fresh venv with the wheel installed, and a way to run things in it."""

    def __init__(self, venv: Path, work: Path) -> None:
        self.venv = venv
        self.work = work
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
        }
        self.env.update(
            SESAME_CONFIG_DIR=str(work / "config"),
            SESAME_USER="Wheel Test",
            QT_QPA_PLATFORM="offscreen",
            PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        )

    def run(self, *argv: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(a) for a in argv],
            cwd=self.work,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )

    def python(self, code: str, *argv: str | Path) -> Any:
        """Run `code` with the venv's python; it prints one JSON document."""
        done = self.run(self.venv / "bin" / "python", "-c", code, *argv)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout)

    def sesame(self, *argv: str | Path) -> Any:
        done = self.run(self.venv / "bin" / "sesame", *argv, "--json")
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("archive", "desktop"):
        shutil.copytree(ROOT / name, src / name, ignore=skip)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    # The dev venv's setuptools (the dev extra asks for one that builds wheels):
    # no download, so the test runs offline.
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(base / "dist"), "./src"],
        cwd=base,
        check=True,
        timeout=240,
    )
    [wheel] = (base / "dist").glob("sesame-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run(
        [
            *pip,
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        timeout=240,
    )
    [site] = venv.glob("lib/python*/site-packages")
    (site / "zz_dev_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = base / "work"
    work.mkdir()
    return Installed(venv, work)


def test_the_installed_packages_come_from_the_wheel(installed: Installed) -> None:
    where = installed.python(
        "import json, archive, desktop, desktop.resources as r;"
        "print(json.dumps([archive.__file__, desktop.__file__, str(r.demo_dir())]))"
    )
    for path in where:
        assert Path(path).is_relative_to(installed.venv), path
        assert not Path(path).is_relative_to(ROOT), path


def test_the_app_has_a_launcher(installed: Installed) -> None:
    done = installed.run(installed.venv / "bin" / "sesame-desktop", "--help")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "sesame-desktop" in done.stdout and "--archive" in done.stdout


def test_init_import_of_the_demo_articles_and_search(installed: Installed) -> None:
    archive = installed.work / "cli-archive"
    assert installed.sesame("--archive", archive, "init")["created"] is True
    demo = installed.python(
        "import json; from desktop.resources import demo_dir; print(json.dumps(str(demo_dir())))"
    )
    report = installed.sesame("--archive", archive, "import", demo)
    assert len(report["imported"]) == 4 and not report["failed"]
    hits = installed.sesame("--archive", archive, "search", "police")
    assert hits["total"] >= 1
    # A bundle: its JSON Schemas are package data the reader needs.
    bundle = installed.work / "demo.sesame"
    assert (
        installed.sesame("--archive", archive, "export-bundle", bundle)["counts"]["articles"] == 4
    )
    assert installed.sesame("verify-bundle", bundle)["ok"] is True


def test_first_run_offers_and_imports_the_demo_and_the_guide_is_there(
    installed: Installed,
) -> None:
    result = installed.python(FIRST_RUN, installed.work / "app-archive")
    assert result["offered"] is True
    assert result["imported"] == 4 and result["failed"] == 0
    assert Path(result["guide"]).is_relative_to(installed.venv)
    assert result["guide_text"].startswith("# ")
    assert result["images"] == ["library.png", "reader-dark.png", "reader.png", "search.png"]
