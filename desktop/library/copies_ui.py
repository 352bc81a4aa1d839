"""The library's copy-group actions: show a group's members, split from copies, join as copies.

Copies of one story (`archive.copies`) count as one source. The library's
Copies column shows a group's size; these context-menu actions write
through the window's writer (each one undoable step, the user's decision,
which detection keeps).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMenu

from archive import copies

if TYPE_CHECKING:
    from desktop.library.panel import LibraryPanel


def add_actions(panel: LibraryPanel, menu: QMenu, ids: list[str]) -> None:
    """Add the copy actions that apply to the selected articles `ids` to `menu`."""
    rows = [row for row in (panel.model.library_row(i) for i in ids) if row is not None]
    grouped = [row for row in rows if row.copies >= 2]
    if not grouped and len(ids) < 2:
        return
    menu.addSeparator()
    if len(rows) == 1 and grouped:
        group = grouped[0].copy_group
        show = menu.addAction(
            panel.tr("Show its copies (%n)", "", grouped[0].copies),
            lambda: show_group(panel, group),
        )
        show.setObjectName("showCopiesAction")
    if grouped:
        split = menu.addAction(
            panel.tr("Split from copies"), lambda: split_from_copies(panel, [r.id for r in grouped])
        )
        split.setObjectName("splitCopiesAction")
    if len(ids) >= 2:
        join = menu.addAction(panel.tr("Join as copies"), lambda: join_as_copies(panel, ids))
        join.setObjectName("joinCopiesAction")


def show_group(panel: LibraryPanel, group: str) -> None:
    """Filter the library to one group's members (the filter text says how: copies:ID)."""
    panel.filter_edit.setText(f"copies:{group[:8]}")
    panel.apply_filter()


def split_from_copies(panel: LibraryPanel, ids: list[str]) -> None:
    panel._write(
        f"Split {len(ids)} article(s) from their copies",
        lambda ch: copies.split(ch, ids),
        panel.tr("Not split"),
        lambda _n: None,
    )


def join_as_copies(panel: LibraryPanel, ids: list[str]) -> None:
    panel._write(
        f"Join {len(ids)} articles as copies",
        lambda ch: copies.join(ch, ids),
        panel.tr("Not joined"),
        lambda _group: None,
    )
