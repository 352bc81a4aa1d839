"""Keyboard-first tagging: one action per tag type, shared by reader, menu and toolbar.

There is one `TaggingController` per `AppContext` (found with `of(ctx)`), so
the shell's "Tag" menu and the reader's toolbar hold the same `QAction`s and
a key like F is never an ambiguous shortcut. The actions' shortcuts only act
while the reader has the focus, so typing an A in the search bar stays an A.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence

from archive import annotate, entities, figures, suggest, tagtypes
from archive.errors import SesameError
from desktop.context import AppContext
from desktop.panels.common import one_per_context, open_held, swatch
from desktop.reader.tag_dialog import EntityChoice, TagDialog, TagRequest

if TYPE_CHECKING:
    from desktop.reader.panel import ReaderPanel

FIGURE_TYPE = "figure"


def load_entity_choices(archive: Any, type_key: str) -> list[EntityChoice]:
    """Live entities of a tag type, for the entity picker (reads the archive)."""
    return [
        EntityChoice(e.id, e.name, list(e.aliases))
        for e in entities.list_entities(archive, type_key)
    ]


def entity_choices(ctx: AppContext, type_key: str) -> list[EntityChoice]:
    """Live entities of a tag type, cached until entities change (see TaggingController)."""
    return TaggingController.of(ctx).choices(type_key)


def figure_prefill(quote: str, published: str | None) -> dict:
    """Value, qualifier and counted parsed from a selected figure phrase (core's parser)."""
    prefill: dict = {}
    parsed = figures.parse_figure(quote)
    if parsed is not None:
        prefill = {"value": parsed.value, "qualifier": parsed.qualifier, "counted": parsed.counted}
    if published:
        prefill["as_of"] = published
    return prefill


# Text read on each side of a selection for the suggester: enough for its
# sentence, small enough to stay quick in a long article (it is ~40 µs/char).
CONTEXT_CHARS = 300


def suggestion_for(
    text: str, start: int, end: int, type_key: str, published: str | None
) -> suggest.Suggestion | None:
    """What the suggester proposes for the selection `start:end` (the most overlapping
    suggestion of `type_key` around it, offsets relative to `text`), or None."""
    if type_key not in ("actor", "event", "figure"):
        return None
    lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    best, best_overlap = None, 0
    for sug in suggest.suggest(text[lo:hi], published, types=[type_key]):
        s, e = sug.start + lo, sug.end + lo
        overlap = min(e, end) - max(s, start)
        if overlap > best_overlap:
            best, best_overlap = sug, overlap
    return best


def tag_prefill(
    text: str,
    start: int,
    end: int,
    type_key: str,
    published: str | None,
    choices: list[EntityChoice],
) -> dict:
    """What the tagging form starts with: the best entity name, and an event's date.

    The entity is, in order: an existing entity whose name or alias is the
    selected text; one whose name or alias is the suggester's name for it
    ("Tin Min Tun" for "Major Tin Min Tun"); that suggested name; for actors
    and events the selected text itself.
    """
    quote = text[start:end]
    known = {entities.norm_name(t): c.name for c in choices for t in (c.name, *c.aliases)}
    sug = suggestion_for(text, start, end, type_key, published)
    prefill: dict = {}
    names = [quote, *(n for n in ((sug.entity_name if sug else None),) if n)]
    name = next((known[k] for k in map(entities.norm_name, names) if k in known), None)
    if name is None and sug is not None and sug.entity_name:
        name = sug.entity_name
    if name is None and type_key in ("actor", "event") and len(quote) <= 80:
        name = " ".join(quote.split())
    if name:
        prefill["entity"] = name
    if type_key == "event" and sug is not None and sug.date:
        prefill["date"] = sug.date
    return prefill


def event_prefill(archive: Any, entity_id: str) -> dict:
    """The date (or range) and place an event entity holds, as the tagging form shows them."""
    try:
        info = entities.get_entity(archive, entity_id)
    except SesameError:
        return {}
    date = info.date_start or ""
    if date and info.date_end:
        date += f" to {info.date_end}"
    return {"date": date, "place": info.place or ""}


def short_quote(quote: str, limit: int = 30) -> str:
    """A quote short enough for a menu item."""
    quote = " ".join(quote.split())
    return quote if len(quote) <= limit else quote[: limit - 1] + "…"


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A span without the spaces a mouse selection picks up at its ends."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


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
        # Entity choices per tag type: reading them with mention counts takes
        # ~100 ms in a big archive, too slow for every key press.
        self._choices: dict[str, list[EntityChoice]] = {}
        self._choices_generation = 0
        ctx.entitiesChanged.connect(self._entities_changed)
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

    # -- entity choices ------------------------------------------------------

    def choices(self, type_key: str) -> list[EntityChoice]:
        """Entities of a tag type for the picker (read now if not cached)."""
        found = self._choices.get(type_key)
        if found is None:
            found = self._choices[type_key] = load_entity_choices(self.ctx.archive, type_key)
        return found

    def _entities_changed(self) -> None:
        used = list(self._choices)
        self._choices.clear()
        self._choices_generation += 1
        if self.ctx.tasks is None:
            return
        # Read the ones in use again in the background, ready for the next key press.
        generation = self._choices_generation
        for key in used:
            self.ctx.tasks.run(
                "Reading entities",
                load_entity_choices,
                self.ctx.archive,
                key,
                with_progress=False,
                show=False,
                on_result=lambda result, key=key: self._prefetched(generation, key, result),
            )

    def _prefetched(self, generation: int, type_key: str, result: list[EntityChoice]) -> None:
        if generation == self._choices_generation:
            self._choices.setdefault(type_key, result)

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
        reader.view.context_actions = lambda: (
            self.actions() if reader.selection_span() is not None else []
        )

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
        start, end = trim_span(article.text, *span)
        if start >= end:
            reader.message(self.tr("The selection is only spaces; select some words."))
            return None
        try:
            info = next(t for t in tagtypes.list_tag_types(self.ctx.archive) if t.key == type_key)
            choices = entity_choices(self.ctx, type_key)
        except (StopIteration, SesameError) as exc:
            reader.message(str(exc) or self.tr("Unknown tag type {0}.").format(type_key))
            return None
        quote = article.text[start:end]
        is_figure = type_key == FIGURE_TYPE
        prefill = figure_prefill(quote, article.published) if is_figure else {}
        prefill.update(tag_prefill(article.text, start, end, type_key, article.published, choices))
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
        step = self.tr("Tag as {0} “{1}”").format(info.label, short_quote(quote))
        dialog.tagRequested.connect(lambda req: self.commit(article_id, req, step))
        open_held(reader, "tag_dialog", dialog, on_closed=reader.view.setFocus)
        return dialog

    def _refused(self, message: str) -> None:
        if self.reader is not None:
            self.reader.message(message)

    def commit(self, article_id: str, req: TagRequest, label: str = "") -> None:
        """Create the annotation (and a new entity if one was named) as one undo step.

        The write runs in the background (`ctx.writer`, queued behind any write
        in flight); the reader repaints when it is committed.
        """
        self.ctx.writer.change(
            label or f"Tag as {req.type_key}",
            lambda ch: tag_span(ch, article_id, req),
            on_error=self._refused,
        )
        reader = self.reader
        if reader is not None and reader.article is not None and reader.article.id == article_id:
            # Drop the selection so the new tag's colour shows at once; stay at its end.
            reader.view.place_caret(req.end)


def tag_span(ch: Any, article_id: str, req: TagRequest) -> Any:
    """In change `ch`: the annotation a tagging form asked for, with its new entity."""
    fields: dict[str, Any] = {"note": req.note}
    if req.value is not None or req.counted or req.as_of:
        fields.update(req.figure_fields())
    entity_id = entities.link_entity(
        ch, req.type_key, req.entity_id, req.new_entity_name, req.event_details()
    )
    return annotate.create_annotation(
        ch, article_id, req.start, req.end, req.type_key, entity_id=entity_id, **fields
    )
