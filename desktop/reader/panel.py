"""The reader: an article's header and text, its annotations, and keyboard tagging.

`ReaderPanel(ctx)` listens to `ctx.articleOpenRequested(article_id, spans)`
and shows the article (spans are code-point ranges to mark and scroll to,
e.g. search matches), then emits `ctx.articleShown(article_id)`. It repaints
when the window's writes (`ctx.changed`, desktop/delta.py) touch its article's
annotations or review fields, or an entity it shows, reading them off the GUI
thread (as it does for `ctx.annotationsChanged` naming its article or
`ctx.entitiesChanged`, from writes outside the window's writer). Select text and
press a tag type's key (A, E, F, or a user type's) to tag it; see `desktop.tagging`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from archive import review
from archive.errors import SesameError
from archive.reading import ReadingAnnotation, ReadingArticle, load_article
from desktop.article_reads import ArticleReads, read_article
from desktop.context import AppContext
from desktop.reader.scan_pane import ScanPane
from desktop.reader.text_view import ArticleTextView, describe_annotation
from desktop.review.bar import ReviewBar
from desktop.review.claims import claim_actions
from desktop.review.reveal import SHORTCUT, RevealState, concealed, hidden_note, sensitive_ids
from desktop.tag_form import TagDialog
from desktop.tagging import TaggingController
from desktop.widgets import tell

if TYPE_CHECKING:
    from desktop.delta import ViewDelta


class ReaderPanel(QWidget):
    """The article reader (a central widget; the main window places it).

    Public API: `open_article(id, spans)`, `article`, `view` (the text
    widget), `selection_span()`, `select_span(start, end)`, `tag_selection(type_key)`,
    `tag_dialog` (the open tagging form, if any), `message(text)`,
    `step_annotation(+1 | -1)` (Alt+Down / Alt+Up).
    """

    # A short message for the status bar (e.g. "Select some text first").
    statusMessage = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readerPanel")
        self.ctx = ctx
        self.article: ReadingArticle | None = None
        self.tag_dialog: TagDialog | None = None
        self._at_cursor = ""

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        self.toolbar = QToolBar(self.tr("Tagging"), self)
        self.toolbar.setObjectName("readerTagToolbar")
        layout.addWidget(self.toolbar)

        header = QWidget(self)
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(12, 8, 12, 4)
        self.title_label = self._plain_label(header)
        font = QFont(self.title_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title_label.setFont(font)
        self.details_label = self._plain_label(header)
        self.url_label = self._plain_label(header)
        self.url_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (self.title_label, self.details_label, self.url_label):
            header_layout.addWidget(label)
        layout.addWidget(header)
        # Review status, assignee, verification, sensitive flag; the banner with Reveal.
        self.review_bar = ReviewBar(ctx, self)
        layout.addWidget(self.review_bar)
        self.reveal_state = RevealState.of(ctx)

        # The text takes the whole width; the details of the passage under the
        # cursor (or the tagging hint) sit in a short strip below it.
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.view = ArticleTextView(self.splitter)
        self.side_label = QLabel()
        self.side_label.setObjectName("readerAnnotationDetails")
        self.side_label.setTextFormat(Qt.TextFormat.RichText)
        self.side_label.setWordWrap(True)
        self.side_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.side_label.setMargin(6)
        self.details_area = QScrollArea(self.splitter)
        self.details_area.setObjectName("readerDetailsArea")
        self.details_area.setWidgetResizable(True)
        self.details_area.setFrameShape(QFrame.Shape.NoFrame)
        self.details_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.details_area.setWidget(self.side_label)
        line = self.fontMetrics().lineSpacing()
        self.details_area.setMinimumHeight(line * 2)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setCollapsible(0, False)
        self.splitter.setSizes([600, line * 4 + 16])
        layout.addWidget(self.splitter, 1)

        # Connected straight to Qt's signal: no Python-side emit on every caret move.
        self.view.cursorPositionChanged.connect(self._caret_moved)
        self.view.tagKeyPressed.connect(self._tag_key)
        self.view.setPlaceholderText(self.tr("Open an article from the library or a search."))

        ctx.articleOpenRequested.connect(self.open_article)
        ctx.annotationsChanged.connect(self._annotations_changed)
        ctx.entitiesChanged.connect(self._entities_changed)
        ctx.changed.connect(self._delta)
        self._reads = 0

        ctx.writer.failed.connect(self.message)
        self.review_bar.revealRequested.connect(self.reveal)
        self.review_bar.hideRequested.connect(self.hide_sensitive)
        self.reveal_state.changed.connect(self._show_concealment)
        self.reveal_action = QAction(self.tr("Reveal sensitive content"), self)
        self.reveal_action.setObjectName("revealSensitive")
        self.reveal_action.setShortcut(QKeySequence(SHORTCUT))
        self.reveal_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.reveal_action.triggered.connect(self.reveal)
        self.addAction(self.reveal_action)
        self.view.review_actions = self._passage_actions
        self.tagging = TaggingController.of(ctx)
        self.tagging.attach_reader(self)
        # A machine-read article: the OCR banner and its page image beside the text.
        self.scan = ScanPane(self)
        self._clear_header()

        # Keyboard-first reading: hop from one tagged passage to the next.
        for text, key, step in (
            (self.tr("Next annotation"), "Alt+Down", 1),
            (self.tr("Previous annotation"), "Alt+Up", -1),
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, step=step: self.step_annotation(step))
            self.view.addAction(action)

    @staticmethod
    def _plain_label(parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        return label

    # -- showing -------------------------------------------------------------

    def open_article(self, article_id: str, spans: Sequence[Sequence[int]] | None = None) -> None:
        """Show an article (or re-mark the one shown) and mark `spans` (code points)."""
        marks = [(int(s), int(e)) for s, e in (spans or [])]
        if self.article is None or self.article.id != article_id:
            try:
                article = load_article(self.ctx.archive, article_id)
            except SesameError as exc:
                self.message(str(exc))
                return
            self.article = article
            self.view.concealment = concealed(article, self.reveal_state)
            self.view.show_article(article)
            self._fill_header(article)
            self.review_bar.show_article(article)
            self._show_concealment()
            self.scan.show_article(article)
            self.ctx.current_article_id = article.id
            self.ctx.articleShown.emit(article.id)
        # A mark over a hidden passage would draw its words: go there with the caret only.
        hidden = self.view.concealment.spans
        shown = [m for m in marks if not any(s < m[1] and m[0] < e for s, e in hidden)]
        if shown:
            self.view.mark_matches(shown)
        else:
            self.view.setExtraSelections([])
            if marks:
                self.view.place_caret(marks[0][0])
                self.view.ensureCursorVisible()
        self._caret_moved()

    def _fill_header(self, article: ReadingArticle) -> None:
        lines = article.header_lines()
        self.title_label.setText(lines[0])
        details = [x for x in (article.source, article.byline, article.published) if x]
        self.details_label.setText(" · ".join(details))
        self.details_label.setVisible(bool(details))
        # For a capture, the URL line also says when it was captured (header_lines).
        self.url_label.setText(lines[-1] if article.url else "")
        self.url_label.setVisible(bool(article.url))
        self.side_label.setText("")

    def _clear_header(self) -> None:
        self.title_label.setText(self.tr("No article open"))
        self.details_label.hide()
        self.url_label.hide()
        self.side_label.setText("")
        self.review_bar.show_article(None)

    def reload_annotations(self) -> None:
        """Read the open article's annotations again and repaint them."""
        if self.article is None:
            return
        self._show_annotations(self.article.id, read_article(self.ctx.archive, self.article.id))

    def _reread(self) -> None:
        """Read the open article's annotations off the GUI thread, then repaint them
        (at once when the writer runs inline: scripts and panel tests)."""
        if self.article is None:
            return
        self._reads += 1
        generation, article_id = self._reads, self.article.id

        def show(found: tuple[list[ReadingAnnotation], Any]) -> None:
            if generation == self._reads:  # else a newer read is on its way
                self._show_annotations(article_id, found)

        ArticleReads.of(self.ctx).request(article_id, self, show)

    def _show_annotations(
        self, article_id: str, found: tuple[list[ReadingAnnotation], Any]
    ) -> None:
        if self.article is None or self.article.id != article_id:
            return  # another article is open now
        annotations, fields = found
        if fields is not None:
            for name in review.ARTICLE_FIELDS:
                setattr(self.article, name, getattr(fields, name))
        self.article.annotations = annotations
        self.view.concealment = concealed(self.article, self.reveal_state)
        self.view.repaint_annotations(annotations)
        self.review_bar.show_article(self.article)
        self._show_concealment()
        self._show_details_at(self.view.caret_code_point())

    # -- review and sensitive content --------------------------------------------

    def _show_concealment(self) -> None:
        """Blur or bar what is still hidden; the banner says what and offers Reveal."""
        hidden = concealed(self.article, self.reveal_state)
        self.view.set_concealment(hidden)
        any_sensitive = bool(self.article and sensitive_ids(self.article))
        self.review_bar.show_concealment(hidden, any_sensitive)
        self.reveal_action.setEnabled(hidden.anything)

    def reveal(self) -> None:
        """Show the open article and its sensitive passages, for this session."""
        if self.article is not None:
            self.reveal_state.reveal(sensitive_ids(self.article))
            self._show_details_at(self.view.caret_code_point())

    def hide_sensitive(self) -> None:
        """Blur the open article's sensitive content again."""
        if self.article is not None:
            self.reveal_state.hide(sensitive_ids(self.article))

    def _passage_actions(self) -> list[QAction]:
        """The review entries of the context menu, for the passage under it."""
        if self.article is None:
            return []
        found = self.article.annotations_at(self.view.context_point)
        return claim_actions(self.ctx, self, found[-1]) if found else []

    def _annotations_changed(self, article_id: str) -> None:
        if self.article is not None and article_id in (self.article.id, ""):
            self._reread()

    def _entities_changed(self) -> None:
        self._reread()

    def _delta(self, delta: ViewDelta) -> None:
        """The window's writes: read again only if they touched what the reader shows."""
        if self.article is not None and delta.concerns_article(
            self.article.id, [a.entity_id for a in self.article.annotations]
        ):
            self._reread()

    def _caret_moved(self) -> None:
        cp = self.view.caret_code_point()
        self._show_details_at(cp)
        self.scan.follow(cp)
        found = self.article.annotations_at(cp) if self.article else []
        current = found[-1].id if found else ""
        if current != self._at_cursor:  # emitted on changes only, not every key
            self._at_cursor = current
            self.ctx.annotationAtCursor.emit(current)

    def _show_details_at(self, cp: int) -> None:
        if self.article is None:
            return
        found = self.article.annotations_at(cp)
        if found:
            hidden = self.view.concealment
            self.side_label.setText(
                "<hr>".join(
                    hidden_note(a) if hidden.hides(a) else describe_annotation(a) for a in found
                )
            )
        else:
            # A newcomer's hint: how tagging works, in place of details.
            hint = self.tr("Select a passage, then press a key to tag it:")
            keys = html.escape(self.tagging.key_hint())
            hop = self.tr("Alt+↓ / Alt+↑: next / previous tagged passage.")
            self.side_label.setText(
                f"<span style='color: gray'>{hint} <b>{keys}</b><br>{hop}</span>"
            )

    # -- selection and tagging ----------------------------------------------

    def selection_span(self) -> tuple[int, int] | None:
        """The selected text as a code-point span (None without a selection)."""
        return self.view.selection_span()

    def select_span(self, start: int, end: int) -> None:
        """Select a code-point span and scroll to it."""
        self.view.select_span(start, end)

    def step_annotation(self, step: int) -> ReadingAnnotation | None:
        """Select the next (step 1) or previous (-1) annotation after the cursor."""
        shown = [a for a in self.annotations() if not a.orphaned]
        if not shown:
            return None
        span = self.selection_span()
        here = span[0] if span else self.view.caret_code_point()
        if step > 0:
            later = [a for a in shown if a.start > here]
            target = later[0] if later else shown[0]
        else:
            earlier = [a for a in shown if a.start < here]
            target = earlier[-1] if earlier else shown[-1]
        if self.view.concealment.hides(target):
            # A selection is drawn in the palette's colours, over the bar: the caret only.
            self.view.place_caret(target.start)
            self.view.ensureCursorVisible()
        else:
            self.select_span(target.start, target.end)
        return target

    def annotations(self) -> list[ReadingAnnotation]:
        """The annotations of the open article (by start)."""
        return list(self.article.annotations) if self.article else []

    def message(self, text: str) -> None:
        """Tell the person something short (status bar and side panel)."""
        tell(self, text)
        self.side_label.setText(f"<i>{html.escape(text)}</i>")

    def _tag_key(self, key: str) -> None:
        type_key = self.tagging.type_for_shortcut(key)
        if type_key is not None:
            self.tag_selection(type_key)

    def tag_selection(self, type_key: str) -> TagDialog | None:
        """Start tagging the selection as `type_key`: opens the (non-blocking) form."""
        return self.tagging.begin_tag(self, type_key)
