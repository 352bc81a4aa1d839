"""The relation graph panel: actors and events joined by their roles and relations.

Read and laid out off the GUI thread (`desktop.graph.data.load`: networkx's
spring layout), drawn in a `QGraphicsView` (the scene's BSP index keeps
picking and painting to what is in view). Actors are circles, events
diamonds; a role is a solid line from actor to event, a relation a dashed
one, each labelled. Clicking a node opens it: its name, dates and place,
and every claim it takes part in; opening a claim (double-click or Enter)
shows its passage in the reader. Activating a node (double-click, or Enter
on the selected one) or "Show in Entities" asks for it in the Entities
panel (`AppContext.entityOpenRequested`; the main window raises that panel
with the entity current). Ctrl+wheel zooms; Fit shows everything.

Labels stay readable (`ZoomLabel`): a name is drawn once the zoom leaves room
for it (`NAME_LOD`), a role's or relation's label from a closer zoom
(`CLAIM_LOD`); zoomed out, only the hovered or selected node shows its name
and the labels of its claims. Names are elided to `NAME_CHARS` (the tooltip
and the side panel give them whole), each on a faint backing so crossing
lines do not run through it.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPolygonF, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsPolygonItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStyleOptionGraphicsItem,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from desktop.graph.data import Claim, GraphData, Node, load
from desktop.review.reveal import QuoteMask, RevealState
from desktop.widgets import RereadingPanel, run_read, short, tell, tip

NODE_R = 9.0  # a node's radius, scene units
MAX_FIT_SCALE = 1.25  # "fit" never magnifies more than this
NodeRole = 0  # QGraphicsItem.data key holding a node's id
ClaimRole = Qt.ItemDataRole.UserRole + 1
ACTOR_COLOUR = QColor("#2f6db5")
EVENT_COLOUR = QColor("#c0392b")
OTHER_COLOUR = QColor("#7f8c8d")
# Zoom (the view's scale) from which names, then claims' labels, are drawn. Fit draws a
# graph of n nodes at about 1.25 / sqrt(n / 4) (`_fill` spreads them 80 * sqrt(n) apart):
# up to ~10 nodes shows every name, a larger one shows them as the person zooms in.
NAME_LOD = 1.0
CLAIM_LOD = 1.6
NAME_CHARS = 24


class ZoomLabel(QGraphicsSimpleTextItem):
    """A label drawn only from a zoom of `lod` on, or while one of its nodes is hovered or
    selected (`owners`; a node's name has its node as parent). Its text keeps its size
    whatever the zoom (a hovered name, zoomed out, is still readable); the zoom is the
    view's scale."""

    def __init__(
        self,
        text: str,
        lod: float,
        backing: QColor,
        parent: QGraphicsItem | None = None,
        *,
        focus_lod: float = 0.0,
    ) -> None:
        super().__init__(text, parent)
        self.lod = lod
        # From what zoom a hovered or selected node shows it: a name at any zoom; the
        # labels of its claims only once they can be told apart (they meet at the node).
        self.focus_lod = focus_lod
        self.backing = backing
        self.owners: tuple[QGraphicsItem, ...] = (parent,) if parent is not None else ()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)

    def shown_at(self, lod: float) -> bool:
        """Whether the label is drawn at zoom `lod`."""
        if lod >= self.lod:
            return True
        return lod >= self.focus_lod and any(
            o.isSelected() or o.isUnderMouse() for o in self.owners
        )

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None
    ) -> None:
        views = self.scene().views() if self.scene() is not None else []
        zoom = views[0].transform().m11() if views else 1.0
        if not self.shown_at(zoom):
            return
        painter.fillRect(self.boundingRect().adjusted(-1, 0, 1, 0), self.backing)
        super().paint(painter, option, widget)


class _Hovered:
    """A node that repaints its labels when the pointer comes and goes."""

    labels: list[ZoomLabel]

    def hoverEnterEvent(self, event: Any) -> None:
        super().hoverEnterEvent(event)  # type: ignore[misc]
        for label in self.labels:
            label.update()

    def hoverLeaveEvent(self, event: Any) -> None:
        super().hoverLeaveEvent(event)  # type: ignore[misc]
        for label in self.labels:
            label.update()


class _Circle(_Hovered, QGraphicsEllipseItem):
    pass


class _Diamond(_Hovered, QGraphicsPolygonItem):
    pass


class GraphView(QGraphicsView):
    """A graphics view that zooms with Ctrl+wheel (and + / -); a node double-clicked, or
    Enter on the selected one, is activated (`nodeActivated`)."""

    nodeActivated = Signal(str)

    def __init__(self, scene: QGraphicsScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.auto_fit = True  # follows its size until the person zooms

    def fit(self) -> None:
        rect = self.scene().itemsBoundingRect() if self.scene() is not None else None
        if rect is not None and not rect.isEmpty():
            self.fitInView(rect.adjusted(-20, -20, 20, 20), Qt.AspectRatioMode.KeepAspectRatio)
            if self.transform().m11() > MAX_FIT_SCALE:  # a few nodes: not blown up
                self.resetTransform()
                self.scale(MAX_FIT_SCALE, MAX_FIT_SCALE)
                self.centerOn(rect.center())

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.auto_fit:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            dy = event.angleDelta().y()
            if dy:
                self.auto_fit = False
                self.scale(*(2 * (1.25 if dy > 0 else 0.8,)))
            event.accept()
            return
        super().wheelEvent(event)

    def node_at(self, pos: Any) -> str | None:
        """The id of the node under a point of the viewport (its name label included)."""
        item = self.itemAt(pos)
        while item is not None and not item.data(NodeRole):
            item = item.parentItem()
        return str(item.data(NodeRole)) if item is not None else None

    def mouseDoubleClickEvent(self, event: Any) -> None:
        node = self.node_at(event.position().toPoint())
        if node is None:
            super().mouseDoubleClickEvent(event)
            return
        event.accept()
        self.nodeActivated.emit(node)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            chosen = [i for i in self.scene().selectedItems() if i.data(NodeRole)]
            if chosen:
                self.nodeActivated.emit(str(chosen[0].data(NodeRole)))
                return
        if event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.auto_fit = False
            self.scale(1.25, 1.25)
        elif event.key() == Qt.Key.Key_Minus:
            self.auto_fit = False
            self.scale(0.8, 0.8)
        else:
            super().keyPressEvent(event)


class GraphPanel(RereadingPanel):
    """The relation graph of the archive, each node opening its claims."""

    loaded = Signal(int)  # nodes drawn
    nodeOpened = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("graphPanel")
        self.data = GraphData()
        self.items: dict[str, QGraphicsItem] = {}
        self.lines: list[tuple[QGraphicsLineItem, Claim]] = []
        self.current: str | None = None

        self.scene = QGraphicsScene(self)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.view = GraphView(self.scene, self)
        self.view.setObjectName("graphView")
        fit = QPushButton(self.tr("Fit"), self)
        fit.setToolTip(self.tr("Show the whole graph"))
        fit.clicked.connect(self.fit)
        self.view.nodeActivated.connect(self.show_in_entities)
        self.entity_button = QPushButton(self.tr("Show in Entities"), self)
        self.entity_button.setObjectName("graphShowEntity")
        self.entity_button.setToolTip(
            self.tr("Open the chosen actor or event in the Entities panel (or double-click it)")
        )
        self.entity_button.setEnabled(False)
        self.entity_button.clicked.connect(lambda: self.show_in_entities(self.current or ""))
        self.count_label = QLabel(self)
        self.node_label = QLabel(self.tr("Click an actor or event to open it."), self)
        self.node_label.setWordWrap(True)
        self.node_label.setTextFormat(Qt.TextFormat.PlainText)  # names come from people
        self.claims = QListWidget(self)
        self.claims.setObjectName("graphClaims")
        self.claims.setWordWrap(True)
        self.claims.setToolTip(self.tr("Double-click or Enter: open the passage in the reader"))
        self.claims.itemActivated.connect(self.open_claim)

        top = QHBoxLayout()
        top.addWidget(self.count_label, 1)
        top.addWidget(fit)
        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.node_label)
        side_layout.addWidget(self.claims, 1)
        side_layout.addWidget(self.entity_button)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.view)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        side.setMinimumWidth(120)
        splitter.setSizes([600, 200])  # the drawing gets most of the width
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self._watch_changes(ctx)
        ctx.articlesChanged.connect(self._changed)
        RevealState.of(ctx).changed.connect(self._reveal_changed)
        self._stale = True  # read when first shown

    def refresh(self) -> None:
        """Read and lay out the graph again, off the GUI thread."""
        generation = self._next_read()
        run_read(
            self.ctx,
            self,
            "Laying out the relation graph",
            load,
            self.ctx.archive,
            on_result=lambda data: self._fill(generation, data),
            on_error=lambda message: tell(self, message),
        )

    # -- drawing -------------------------------------------------------------------------

    def _fill(self, generation: int, data: GraphData) -> None:
        if generation != self._generation:
            return
        self.data = data
        self.scene.blockSignals(True)
        self.scene.clear()
        self.scene.blockSignals(False)
        self.items = {}
        self.lines = []
        scale = 80.0 * math.sqrt(max(1, len(data.nodes)))
        where = {n.id: QPointF(n.x * scale, -n.y * scale) for n in data.nodes}
        text_pen = self.palette().color(self.foregroundRole())
        backing = QColor(self.palette().color(self.view.backgroundRole()))
        backing.setAlpha(200)
        for n in data.nodes:
            item = self._node_item(n)
            item.setPos(where[n.id])
            self.scene.addItem(item)
            name = ZoomLabel(short(n.label, NAME_CHARS), NAME_LOD, backing, item)
            name.setBrush(QBrush(text_pen))
            name.setPos(NODE_R + 3, -NODE_R)
            item.labels = [name]  # type: ignore[attr-defined]
            self.items[n.id] = item
        for c in data.claims:
            a, b = where.get(c.source), where.get(c.target)
            if a is None or b is None:
                continue
            line = QGraphicsLineItem(a.x(), a.y(), b.x(), b.y())
            pen = QPen(EVENT_COLOUR if c.kind == "role" else ACTOR_COLOUR, 1.4)
            if c.kind == "relation":
                pen.setStyle(Qt.PenStyle.DashLine)
            line.setPen(pen)
            line.setZValue(-1)
            line.setToolTip(tip(f"{c.what}: {self.quote(c)}") or "")
            self.lines.append((line, c))
            self.scene.addItem(line)
            label = ZoomLabel(short(c.what, NAME_CHARS), CLAIM_LOD, backing, focus_lod=NAME_LOD)
            label.owners = tuple(self.items[x] for x in (c.source, c.target) if x in self.items)
            for owner in label.owners:
                owner.labels.append(label)  # type: ignore[attr-defined]
            label.setBrush(QBrush(OTHER_COLOUR))
            label.setPos((a + b) / 2)
            label.setZValue(-0.5)
            self.scene.addItem(label)
        n_roles = sum(1 for c in data.claims if c.kind == "role")
        self.count_label.setText(
            self.tr("{0} actor(s) and event(s), {1} role(s), {2} relation(s)").format(
                len(data.nodes), n_roles, len(data.claims) - n_roles
            )
            if data.nodes
            else self.tr("No roles or relations yet: add them to see who did what to whom.")
        )
        self.fit()
        if self.current in self.items:
            self.open_node(self.current)
        else:
            self.current = None
            self.entity_button.setEnabled(False)
            self.claims.clear()
        self.loaded.emit(len(data.nodes))

    def _node_item(self, n: Node) -> QGraphicsItem:
        colour = {"actor": ACTOR_COLOUR, "event": EVENT_COLOUR}.get(n.type, OTHER_COLOUR)
        item: QGraphicsEllipseItem | QGraphicsPolygonItem
        if n.type == "event":
            r = NODE_R * 1.25
            item = _Diamond(
                QPolygonF([QPointF(0, -r), QPointF(r, 0), QPointF(0, r), QPointF(-r, 0)])
            )
        else:
            item = _Circle(-NODE_R, -NODE_R, 2 * NODE_R, 2 * NODE_R)
        item.setAcceptHoverEvents(True)
        item.setBrush(QBrush(colour))
        item.setPen(QPen(colour.darker(140), 1.2))
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        item.setData(NodeRole, n.id)
        item.setToolTip(
            tip(f"{n.label} ({n.type})" + (f"\n{n.details}" if n.details else "")) or ""
        )
        item.setCursor(Qt.CursorShape.PointingHandCursor)
        return item

    def fit(self) -> None:
        """Show the whole graph, and follow the view's size again."""
        self.view.auto_fit = True
        self.view.fit()

    # -- opening -------------------------------------------------------------------------

    def _selection_changed(self) -> None:
        self.scene.update()  # the labels of the node chosen, and of the one left, change
        chosen = [i for i in self.scene.selectedItems() if i.data(NodeRole)]
        if chosen:
            self.open_node(str(chosen[0].data(NodeRole)))

    def open_node(self, node_id: str) -> None:
        """Show an entity: its details and every claim it takes part in."""
        node = self.data.node(node_id)
        if node is None:
            return
        self.current = node_id
        self.entity_button.setEnabled(True)
        item = self.items.get(node_id)
        if item is not None and not item.isSelected():
            self.scene.blockSignals(True)
            self.scene.clearSelection()
            item.setSelected(True)
            self.scene.blockSignals(False)
        head = f"{node.label} ({node.type})"
        self.node_label.setText(f"{head}\n{node.details}" if node.details else head)
        names = {n.id: n.label for n in self.data.nodes}
        self.claims.clear()
        for c in self.data.claims_of(node_id):
            if c.kind == "role":
                line = f"{names.get(c.source, '?')} — {c.what} — {names.get(c.target, '?')}"
            else:
                line = f"{names.get(c.source, '?')} {c.what} {names.get(c.target, '?')}"
            quote = self.quote(c)
            entry = QListWidgetItem(f"{line}\n“{short(quote, 160)}”")
            entry.setData(ClaimRole, c)
            entry.setToolTip(tip(quote) or "")
            self.claims.addItem(entry)
        self.nodeOpened.emit(node_id)

    def quote(self, c: Claim) -> str:
        """A claim's quote, or that it is hidden while sensitive and not revealed."""
        mask = QuoteMask(RevealState.of(self.ctx), self.data.parts)
        return mask.quote(c.quote, c.article_id, c.annotation_id, c.start, c.end)

    def _reveal_changed(self) -> None:
        for line, c in self.lines:
            line.setToolTip(tip(f"{c.what}: {self.quote(c)}") or "")
        if self.current is not None:
            self.open_node(self.current)

    def open_claim(self, entry: QListWidgetItem) -> None:
        """Show a claim's passage in the reader, highlighted."""
        c = entry.data(ClaimRole)
        if isinstance(c, Claim) and c.article_id:
            self.ctx.open_article(c.article_id, [(c.start, c.end)])

    def show_in_entities(self, node_id: str) -> None:
        """Open a node's entity in the Entities panel (and here: its claims)."""
        if self.data.node(node_id) is None:
            return
        if self.current != node_id:
            self.open_node(node_id)
        self.ctx.entityOpenRequested.emit(node_id)
