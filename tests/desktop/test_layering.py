"""The rooms of the desktop: shared modules import no view, and a view no other view.

Views are the packages `desktop/reader`, `desktop/library`, `desktop/search`,
`desktop/importing`, `desktop/timeline`, `desktop/graph` and the panel modules
of `desktop/panels`; the shell (`app.py`, `main_window.py`, `first_run.py`)
wires them together and may import anything. Every other module is shared and
must not depend on a view, not even inside a function: what views share lives
in a neutral module (`widgets.py`, `tag_form.py`, `tagging.py`, `context.py`,
...). Imports under `if TYPE_CHECKING:` are for the type checker only and are
not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DESKTOP = Path(__file__).resolve().parents[2] / "desktop"
SHELL = {"desktop.app", "desktop.main_window", "desktop.first_run", "desktop.__init__"}
VIEW_PACKAGES = ("reader", "library", "search", "importing", "timeline", "graph")


def _module(path: Path, root: Path) -> str:
    return ".".join(path.relative_to(root.parent).with_suffix("").parts)


def view_of(module: str) -> str | None:
    """The view a module belongs to ("desktop.reader", "desktop.panels.figures"), or None."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "desktop" and parts[1] in VIEW_PACKAGES:
        return ".".join(parts[:2])
    if len(parts) >= 3 and parts[:2] == ["desktop", "panels"] and parts[2] != "__init__":
        return ".".join(parts[:3])
    return None


def _type_checking_only(tree: ast.AST) -> set[int]:
    """Ids of the nodes inside `if TYPE_CHECKING:` blocks."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
            (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
            or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
        ):
            for child in node.body:
                skipped.update(id(n) for n in ast.walk(child))
    return skipped


def runtime_imports(path: Path) -> list[str]:
    """Every module `path` imports when it runs: at the top, in functions, in classes."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_only(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from desktop.panels import figures` imports the module desktop.panels.figures.
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def offences(root: Path = DESKTOP) -> list[str]:
    """Each import, under the package `root`, of a view by a module outside it."""
    found = []
    for path in sorted(root.rglob("*.py")):
        module = _module(path, root)
        if module in SHELL or "resources" in module.split("."):
            continue
        own = view_of(module)
        package = module.removesuffix(".__init__")
        for name in runtime_imports(path):
            target = view_of(name)
            if target is None or target == own:
                continue
            if package == "desktop.panels" and target.startswith("desktop.panels."):
                continue  # the panels package makes its own docks
            found.append(f"{module} imports {name}")
    return found


def test_shared_modules_import_no_view_and_views_no_other_view() -> None:
    assert offences() == []


@pytest.mark.parametrize(
    ("source", "views"),
    [
        ("from desktop.reader.panel import ReaderPanel\n", {"desktop.reader"}),
        ("def f():\n    from desktop.search import model\n", {"desktop.search"}),
        ("class A:\n    def f(self):\n        import desktop.library.model\n", {"desktop.library"}),
        ("from desktop.panels import figures\n", {"desktop.panels.figures"}),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import desktop.reader\n", set()),
        ("from desktop import widgets, tagging\nimport desktop.panels\n", set()),
    ],
)
def test_the_check_sees_function_level_imports_and_skips_type_only_ones(
    tmp_path: Path, source: str, views: set[str]
) -> None:
    path = tmp_path / "probe.py"
    path.write_text(source, encoding="utf-8")
    assert {view_of(n) for n in runtime_imports(path)} - {None} == views


def test_a_shared_module_importing_a_view_is_caught(tmp_path: Path) -> None:
    root = tmp_path / "desktop"
    for name in ("widgets.py", "reader/panel.py", "reader/text_view.py", "panels/figures.py",
                 "panels/__init__.py", "main_window.py"):  # fmt: skip
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("")
    (root / "reader/panel.py").write_text("from desktop.reader.text_view import View\n")
    docks = "def docks():\n    from desktop.panels import figures\n"
    (root / "panels/__init__.py").write_text(docks)
    (root / "main_window.py").write_text("from desktop.reader.panel import ReaderPanel\n")
    assert offences(root) == []
    (root / "widgets.py").write_text("def f():\n    from desktop.reader.panel import ReaderPanel\n")
    (root / "panels/figures.py").write_text("import desktop.search.model\n")
    assert offences(root) == [
        "desktop.panels.figures imports desktop.search.model",
        "desktop.widgets imports desktop.reader.panel",
        "desktop.widgets imports desktop.reader.panel.ReaderPanel",
    ]
