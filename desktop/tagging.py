"""Keyboard-first tagging: one action per tag type, shared by reader, menu and toolbar.

There is one `TaggingController` per `AppContext` (found with `of(ctx)`), so
the shell's "Tag" menu and the reader's toolbar hold the same `QAction`s and
a key like F is never an ambiguous shortcut. The actions' shortcuts only act
while the reader has the focus, so typing an A in the search bar stays an A.

A selection is widened to whole words (syllables, grapheme clusters) before the
form opens, unless the person turned that off (`snap_action`, the setting
`SNAP_SELECTION`); a tag of the same entity on words already tagged with it asks
first (`desktop.dialogs.confirm`), since its mentions would count twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence

from archive import tagtypes
from archive.errors import SesameError
from archive.tagform import (
    FIGURE_TYPE,
    TagRequest,
    form_prefill,
    same_entity_overlap,
    snap_span,
    tag_span,
    trim_span,
)
from desktop import dialogs
from desktop import roles as role_ui
from desktop import settings as st
from desktop.context import AppContext, one_per_context
from desktop.tag_form import TagDialog, choices_for
from desktop.widgets import open_held, short, swatch

if TYPE_CHECKING:
    from desktop.reader.panel import ReaderPanel


class TaggingController(QObject):
    """The tag actions of one context and the flow from key press to annotation."""

    # The list of actions changed (a tag type was added or changed).
    actionsChanged = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.setObjectName("taggingController")
        self.ctx = ctx
        self.reader: ReaderPanel | None = None
        self._actions: list[QAction] = []
        self._shortcuts: dict[str, str] = {}
        # True once the window shows the actions in its own menu and toolbar.
        self.shown_elsewhere = False
        # The reader's "Add role…" and "Add relation…" (desktop.roles), made once.
        self._claims: tuple[ReaderPanel, list[QAction]] | None = None
        self.prefs = st.Settings()
        self.snap_action = QAction(self.tr("Snap selections to whole words"), self)
        self.snap_action.setObjectName("snapSelection")
        self.snap_action.setCheckable(True)
        self.snap_action.setChecked(bool(self.prefs.get(st.SNAP_SELECTION)))
        self.snap_action.setToolTip(
            self.tr("Widen a selection to whole words (Burmese syllables) before tagging")
        )
        self.snap_action.toggled.connect(self._snap_toggled)
        self.refresh_types()

    @classmethod
    def of(cls, ctx: AppContext) -> TaggingController:
        """The controller of `ctx`, made on first use."""
        return one_per_context(ctx, cls, "taggingController")

    # -- actions -------------------------------------------------------------

    def actions(self) -> list[QAction]:
        """One "Tag as …" action per tag type (same objects every call)."""
        return list(self._actions)

    def refresh_types(self) -> None:
        """Bring the actions in line with the archive's tag types (after one changed).

        An existing type keeps its action object (updated in place), so menus
        and toolbars that hold it stay valid; a new type gets a new action and
        `actionsChanged` is emitted; a deleted type's action is deleted.
        """
        by_key = {a.data(): a for a in self._actions}
        actions: list[QAction] = []
        self._shortcuts = {}
        added = False
        for info in tagtypes.list_tag_types(self.ctx.archive):
            action = by_key.pop(info.key, None)
            if action is None:
                action = QAction(self)
                action.setObjectName(f"tagAs_{info.key}")
                action.setData(info.key)
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                action.triggered.connect(lambda _=False, key=info.key: self._triggered(key))
                added = True
            action.setIcon(swatch(info.colour, 14))
            action.setText(self.tr("Tag as {0}").format(info.label))
            if info.shortcut:
                action.setShortcut(QKeySequence(info.shortcut.upper()))
                action.setToolTip(
                    self.tr("Tag the selection as {0} ({1})").format(info.label, info.shortcut)
                )
                self._shortcuts[info.shortcut.upper()] = info.key
            else:
                action.setShortcut(QKeySequence())
                action.setToolTip(self.tr("Tag the selection as {0}").format(info.label))
            actions.append(action)
        self._actions = actions
        removed = list(by_key.values())
        if self.reader is not None:
            for action in removed:
                self.reader.view.removeAction(action)
            self.reader.toolbar.clear()
            self._install(self.reader)
        for action in removed:
            action.deleteLater()
        if added or removed:
            self.actionsChanged.emit()

    def set_shown_elsewhere(self, shown: bool) -> None:
        """The window shows the actions itself: the reader's own toolbar hides."""
        self.shown_elsewhere = shown
        if self.reader is not None:
            self.reader.toolbar.setVisible(not shown)

    def key_hint(self) -> str:
        """The tag keys in words, e.g. "A Actor · E Event · F Figure"."""
        parts = []
        for action in self._actions:
            key = action.shortcut().toString()
            label = action.text().removeprefix(self.tr("Tag as "))
            if key:
                parts.append(f"{key} {label}")
        return " · ".join(parts)

    def type_for_shortcut(self, key: str) -> str | None:
        """The tag type whose shortcut is `key` (a letter or digit)."""
        return self._shortcuts.get(key.upper())

    def attach_reader(self, reader: ReaderPanel) -> None:
        """Let `reader` receive the tag shortcuts and show the actions."""
        self.reader = reader
        self._install(reader)
        reader.toolbar.setVisible(not self.shown_elsewhere)

    def _install(self, reader: ReaderPanel) -> None:
        reader.view.addActions(self._actions)
        reader.toolbar.addActions(self._actions)
        # Made once per reader: they read the selection when triggered.
        if self._claims is None or self._claims[0] is not reader:
            self._claims = (reader, self.claim_actions(reader))
        claims = self._claims[1]
        reader.view.context_actions = lambda: (
            [*self.actions(), self.snap_action, *claims]
            if reader.selection_span() is not None
            else []
        )

    def claim_actions(self, reader: ReaderPanel) -> list[QAction]:
        """ "Add role…" and "Add relation…" for the reader's selection (snapped as a tag's)."""

        def anchor() -> role_ui.Anchor | None:
            article, span = reader.article, reader.selection_span()
            if article is None or span is None:
                return None
            start, end = self.tag_span_of(article.text, span)
            if start >= end:
                reader.message(self.tr("The selection is only spaces; select some words."))
                return None
            return role_ui.Anchor(article.id, article.text[start:end], start=start, end=end)

        return role_ui.claim_actions(self.ctx, reader, anchor)

    def _snap_toggled(self, on: bool) -> None:
        self.prefs.set(st.SNAP_SELECTION, on)
        self.prefs.sync()

    def tag_span_of(self, text: str, span: tuple[int, int]) -> tuple[int, int]:
        """The span a selection tags: without its end spaces, widened to whole words
        (syllables, grapheme clusters) while snapping is on."""
        if self.snap_action.isChecked():
            return snap_span(text, *span)
        return trim_span(text, *span)

    def _triggered(self, type_key: str) -> None:
        if self.reader is not None:
            self.begin_tag(self.reader, type_key)

    # -- the tagging flow ----------------------------------------------------

    def begin_tag(self, reader: ReaderPanel, type_key: str) -> TagDialog | None:
        """Open the tagging form for the reader's selection (never blocks)."""
        article = reader.article
        span = reader.selection_span()
        if article is None or span is None:
            reader.message(self.tr("Select some text first, then press a tag key (A, E, F)."))
            return None
        start, end = self.tag_span_of(article.text, span)
        if start >= end:
            reader.message(self.tr("The selection is only spaces; select some words."))
            return None
        if (start, end) != span:
            reader.view.select_span(start, end, centre=False)  # show what will be tagged
        try:
            info = next(t for t in tagtypes.list_tag_types(self.ctx.archive) if t.key == type_key)
            choices = choices_for(self.ctx, type_key)
        except (StopIteration, SesameError) as exc:
            reader.message(str(exc) or self.tr("Unknown tag type {0}.").format(type_key))
            return None
        quote = article.text[start:end]
        is_figure = type_key == FIGURE_TYPE
        prefill = form_prefill(article.text, start, end, type_key, article.published, choices)
        if reader.tag_dialog is not None:
            reader.tag_dialog.close()
        dialog = TagDialog(
            type_key=type_key,
            type_label=info.label,
            start=start,
            end=end,
            quote=quote,
            choices=choices,
            figure=is_figure,
            prefill=prefill,
            parent=reader,
        )
        article_id = article.id
        step = self.tr("Tag as {0} “{1}”").format(info.label, short(quote, 30))
        dialog.tagRequested.connect(lambda req: self.commit(article_id, req, step))
        open_held(reader, "tag_dialog", dialog, on_closed=reader.view.setFocus)
        return dialog

    def _overlap_agreed(self, article_id: str, req: TagRequest) -> bool:
        """Whether to go on: no annotation of the same entity overlaps the span, or the
        person said to tag it anyway."""
        reader = self.reader
        if reader is None or reader.article is None or reader.article.id != article_id:
            return True
        found = same_entity_overlap(reader.article.annotations, req.start, req.end, req.entity_id)
        if found is None:
            return True
        quote = reader.article.text[req.start : req.end]
        question = self.tr(
            "“{0}” overlaps “{1}”, already tagged as {2}: the mention would count twice. "
            "Tag it anyway?"
        ).format(short(quote, 60), short(found.quote, 60), found.entity_name or found.type_label)
        if dialogs.confirm(reader, self.tr("Tag the same entity again?"), question):
            return True
        reader.message(self.tr("Not tagged: “{0}” is tagged there already.").format(short(quote)))
        return False

    def _refused(self, message: str) -> None:
        if self.reader is not None:
            self.reader.message(message)

    def commit(self, article_id: str, req: TagRequest, label: str = "") -> None:
        """Create the annotation (and a new entity if one was named) as one undo step.

        The write runs in the background (`ctx.writer`, queued behind any write
        in flight); the reader repaints when it is committed. A tag of an entity on
        words already tagged with it asks first; refused, nothing is written.
        """
        if not self._overlap_agreed(article_id, req):
            return
        self.ctx.writer.change(
            label or f"Tag as {req.type_key}",
            lambda ch: tag_span(ch, article_id, req),
            on_error=self._refused,
        )
        reader = self.reader
        if reader is not None and reader.article is not None and reader.article.id == article_id:
            # Drop the selection so the new tag's colour shows at once; stay at its end.
            reader.view.place_caret(req.end)
