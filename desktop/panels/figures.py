"""Figures side by side: every source's claim about the same figure entity."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from archive import figures, review
from archive.figures import FigureClaim, FigureGroup
from archive.reading import load_annotations
from archive.tagform import FIGURE_TYPE
from desktop.context import AppContext
from desktop.models import Index, RowTableModel
from desktop.review.reveal import QuoteMask, RevealState, repaint
from desktop.widgets import (
    RereadingPanel,
    make_table,
    run_read,
    short,
    tell,
    tip,
)


class _TableModel(RowTableModel):
    """A read-only table whose display values come from `cells(item)`."""

    def cells(self, item: Any) -> list[Any]:
        """The display values of one row."""
        raise NotImplementedError

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.item(index)
        if item is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(item)[index.column()]
        return self.extra(item, index.column(), role)

    def extra(self, item: Any, column: int, role: int) -> Any:
        """Other roles (tooltips, alignment)."""
        return None


def range_text(group: FigureGroup) -> str:
    """The range across sources: "19 – 600", one number when they agree, "" for none."""
    if group.low is None or group.high is None:
        return ""
    if group.low == group.high:
        return figures.format_value(group.low)
    return f"{figures.format_value(group.low)} – {figures.format_value(group.high)}"


class FigureGroupModel(_TableModel):
    """One row per figure entity: name, claims, the range across sources, whether they
    conflict, how many independent sources, the sources."""

    COLUMNS = ("Figure", "Claims", "Range", "Conflict", "Independent", "Sources")

    def cells(self, group: FigureGroup) -> list[Any]:
        return [
            group.name,
            len(group.claims),
            range_text(group),
            "conflict" if group.conflict else "",
            group.independent,
            ", ".join(group.sources),
        ]

    def extra(self, group: FigureGroup, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column == 3 and group.conflict:
            return tip("No number satisfies every claim: some two sources do not overlap.")
        if role == Qt.ItemDataRole.ToolTipRole and column == 4:
            return tip(
                "Sources that count once each: articles of one publication, or marked as "
                "copies of one story, are one source."
            )
        if role == Qt.ItemDataRole.ForegroundRole and column == 3 and group.conflict:
            return QColor("#c0392b")
        return None


class FigureClaimModel(_TableModel):
    """One row per claim: value, qualifier, counted, as of, source, quote."""

    COLUMNS = ("Value", "Range", "Qualifier", "Counted", "As of", "Source", "Quote")
    mask: QuoteMask | None = None  # quotes of sensitive passages hidden until revealed

    def quote(self, claim: FigureClaim) -> str:
        if self.mask is None:
            return claim.quote
        return self.mask.quote(claim.quote, claim.article_id, claim.annotation_id)

    def cells(self, claim: FigureClaim) -> list[Any]:
        stated = ""
        if claim.low is not None or claim.high is not None:
            stated = f"{figures.format_value(claim.low)} – {figures.format_value(claim.high)}"
        return [
            figures.format_value(claim.value),
            stated,
            claim.qualifier or "",
            claim.counted or "",
            claim.as_of or claim.published or "",
            claim.source or claim.article_title or "",
            short(self.quote(claim)),
        ]

    def extra(self, claim: FigureClaim, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tip(
                f"{claim.article_title}\n{self.quote(claim)}"
                + ("\n(orphaned)" if claim.orphaned else "")
            )
        return None


class FiguresPanel(RereadingPanel):
    """Pick a figure entity; see what each source claims about it, side by side.

    Public API: `refresh()` (reads in the background, then `loaded`), `groups_model`,
    `claims_model`, `groups_view`, `claims_view`, `select_group(row)`, `open_claim(row)`,
    `open_wide()` (a side dock is too narrow to compare claims: the panel floats, wide,
    figures beside their claims; `wide_button`).
    """

    statusMessage = Signal(str)
    # The table was read again (after `refresh()`, which reads in the background).
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figuresPanel")
        self.ctx = ctx
        self._current: str | None = None
        # The shown figure's sensitive parts, read with the table (see refresh).
        self._parts: tuple[str | None, dict[str, Any]] | None = None
        self.groups_model = FigureGroupModel(self)
        self.claims_model = FigureClaimModel(self)
        self.groups_view = make_table(self, multi=False)
        self.groups_view.setModel(self.groups_model)
        self.groups_view.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self.select_group(cur.row()) if cur.isValid() else None
        )
        self.claims_view = make_table(self, multi=False)
        self.claims_view.setModel(self.claims_model)
        self.claims_view.doubleClicked.connect(lambda index: self.open_claim(index.row()))
        self.unlinked_box = QCheckBox(self.tr("Unlinked figures too"))
        # As `sesame figures` does: figures nobody has linked yet are worth seeing too.
        self.unlinked_box.setChecked(figures.SHOW_UNLINKED)
        self.unlinked_box.setToolTip(
            self.tr(
                "Include figures with no figure entity. Link figures to a figure entity "
                "(Edit… in Annotations) to compare them"
            )
        )
        self.unlinked_box.toggled.connect(lambda _on: self.refresh())
        self.claims_label = QLabel()
        self.claims_label.setTextFormat(Qt.TextFormat.PlainText)  # names come from people

        # Stacked: the panel usually lives in a narrow side dock (side by side when wide).
        self.splitter = splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.groups_view)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.claims_label)
        right_layout.addWidget(self.claims_view, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 2)
        self.wide_button = QPushButton(self.tr("Compare wide"))
        self.wide_button.setObjectName("figuresWide")
        self.wide_button.setToolTip(
            self.tr("Float the Figures panel in a wide window, each figure beside its claims")
        )
        self.wide_button.clicked.connect(self.open_wide)
        top = QHBoxLayout()
        top.addWidget(self.unlinked_box)
        top.addStretch(1)
        top.addWidget(self.wide_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self._watch_changes(ctx)
        RevealState.of(ctx).changed.connect(lambda: repaint(self.claims_model))
        self.refresh()

    def _dock(self) -> QDockWidget | None:
        widget = self.parentWidget()
        while widget is not None and not isinstance(widget, QDockWidget):
            widget = widget.parentWidget()
        return widget

    def _lay_out(self, wide: bool) -> None:
        self.splitter.setOrientation(Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical)

    def open_wide(self) -> None:
        """Float the panel's dock wide (up to 1,100 x 640, inside the screen), figures
        beside their claims; docking it again stacks them once more."""
        dock = self._dock()
        target: QWidget = dock if dock is not None else self
        if dock is not None:
            if not getattr(self, "_follows_dock", False):
                dock.topLevelChanged.connect(self._lay_out)
                self._follows_dock = True
            dock.setFloating(True)
        screen = target.screen().availableGeometry()
        width, height = min(1100, screen.width() - 40), min(640, screen.height() - 80)
        target.resize(width, height)
        target.move(screen.center() - QPoint(width // 2, height // 2))
        self._lay_out(True)
        self.claims_view.resizeColumnsToContents()
        target.show()
        target.raise_()

    def concerns(self, delta: Any) -> bool:
        """Only writes of figure claims, figure entities or articles (a retraction,
        copies) change the table: a tag as an actor leaves it be."""
        return (
            FIGURE_TYPE in delta.annotation_types()
            or FIGURE_TYPE in delta.entity_types
            or bool(delta.article_ids())
        )

    def refresh(self) -> None:
        """Read the figure table again (off the GUI thread); `loaded` says when done."""
        generation = self._next_read()
        archive, unlinked, current = self.ctx.archive, self.unlinked_box.isChecked(), self._current

        def read() -> tuple[list[FigureGroup], dict[str, Any] | None]:
            # The shown figure's sensitive parts with the table: none read on the GUI thread.
            groups = figures.figure_table(archive, include_unlinked=unlinked)
            shown = next((g for g in groups if g.entity_id == current), None)
            parts = None
            if shown is not None:
                parts = review.sensitive_parts(archive, [c.article_id for c in shown.claims])
            return groups, parts

        run_read(
            self.ctx,
            self,
            "Reading figures",
            read,
            on_result=lambda found: self._fill(generation, *found),
            on_error=lambda message: tell(self, message),
        )

    def _fill(
        self, generation: int, groups: list[FigureGroup], parts: dict[str, Any] | None = None
    ) -> None:
        if generation != self._generation:
            return  # a newer read is on its way
        self._fill_groups(groups, parts)
        self.loaded.emit()

    def _fill_groups(self, groups: list[FigureGroup], parts: dict[str, Any] | None = None) -> None:
        self._parts = None
        self.groups_model.set_rows(groups)
        for row, group in enumerate(groups):
            if group.entity_id == self._current:
                self._parts = (group.entity_id, parts) if parts is not None else None
                self.groups_view.selectRow(row)
                self.select_group(row)
                return
        self.claims_model.set_rows([])
        self.claims_label.setText(self.tr("Choose a figure to compare its claims."))

    def select_group(self, row: int) -> None:
        """Show the claims of the figure in `row`."""
        group: FigureGroup = self.groups_model.row(row)
        self._current = group.entity_id
        read = self._parts
        self.claims_model.mask = (
            QuoteMask(RevealState.of(self.ctx), read[1])
            if read is not None and read[0] == group.entity_id
            else QuoteMask.read(self.ctx, [c.article_id for c in group.claims])
        )
        self.claims_model.set_rows(group.claims)
        summary = self.tr("{0}: {1} claims from {2} sources ({3} independent)").format(
            group.name, len(group.claims), group.source_count(), group.independent
        )
        if range_text(group):
            summary += self.tr("; range {0}").format(range_text(group))
        if group.conflict:
            summary += self.tr("; the sources conflict")
        self.claims_label.setText(summary)
        self.claims_view.resizeColumnsToContents()

    def open_claim(self, row: int) -> None:
        """Open the article of a claim at its passage."""
        claim: FigureClaim = self.claims_model.row(row)
        span = next(
            (
                (a.start, a.end)
                for a in load_annotations(self.ctx.archive, claim.article_id)
                if a.id == claim.annotation_id
            ),
            None,
        )
        self.ctx.open_article(claim.article_id, [span] if span else [])
