"""The wall between core and GUI: nothing under archive/ may import Qt."""

import ast
import subprocess
import sys
from pathlib import Path

ARCHIVE = Path(__file__).resolve().parents[2] / "archive"


def test_no_module_under_archive_mentions_qt() -> None:
    offenders = []
    for path in ARCHIVE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in {"PySide6", "PyQt5", "PyQt6", "shiboken6"} for n in names):
                offenders.append(str(path))
    assert offenders == []


def test_importing_every_archive_module_loads_no_qt() -> None:
    code = (
        "import importlib, pkgutil, sys, archive\n"
        "for m in pkgutil.walk_packages(archive.__path__, 'archive.'):\n"
        "    importlib.import_module(m.name)\n"
        "import archive.cli; archive.cli.build_parser()\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ARCHIVE.parent)
