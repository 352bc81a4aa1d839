"""The reader's review bar, blur and reveal, and the passage's claim actions, driven by hand."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from archive import annotate, review
from desktop.context import AppContext
from desktop.reader import ReaderPanel
from desktop.review.claims import ClaimDialog
from desktop.review.reveal import BAR_COLOUR, RevealState
from desktop.tasks import TaskRunner
from tests.desktop.reader.articles import TEXT, utf16

PHRASE = "More than 600 police officers"


def open_reader(qtbot, ctx, article_id: str) -> ReaderPanel:  # type: ignore[no-untyped-def]
    reader = ReaderPanel(ctx)
    qtbot.addWidget(reader)
    reader.resize(900, 600)
    reader.show()
    qtbot.waitExposed(reader)
    with qtbot.waitSignal(ctx.articleShown, timeout=2000):
        ctx.open_article(article_id)
    return reader


def _format_at(reader: ReaderPanel, phrase: str):  # type: ignore[no-untyped-def]
    cursor = QTextCursor(reader.view.document())
    cursor.setPosition(utf16(TEXT[: TEXT.index(phrase)]) + 1)
    return cursor.charFormat()


def _tag(ctx, article_id: str) -> str:  # type: ignore[no-untyped-def]
    s, e = annotate.find_quote(TEXT, PHRASE)
    return annotate.create_annotation(ctx.archive, article_id, s, e, "figure", entity_name="p").id


def test_review_bar_writes_status_assignee_verification_and_undo(qtbot, ctx, article_id) -> None:
    reader = open_reader(qtbot, ctx, article_id)
    bar = reader.review_bar
    assert bar.isEnabled() and bar.status_box.currentData() == "unread"
    bar.status_box.setCurrentIndex(bar.status_box.findData("in_review"))
    bar.status_box.activated.emit(bar.status_box.currentIndex())
    assert review.get_review(ctx.archive, article_id).review_status == "in_review"
    bar.assignee_edit.setFocus()
    qtbot.keyClicks(bar.assignee_edit, "Aung Ko")
    qtbot.keyClick(bar.assignee_edit, Qt.Key.Key_Return)
    assert review.get_review(ctx.archive, article_id).assignee == "Aung Ko"
    bar.verification_box.setCurrentIndex(bar.verification_box.findData("disputed"))
    bar.verification_box.activated.emit(bar.verification_box.currentIndex())
    bar.note_edit.setText("RFA gives another figure")
    bar.note_edit.editingFinished.emit()
    stored = review.get_review(ctx.archive, article_id)
    assert (stored.verification, stored.verification_note) == (
        "disputed",
        "RFA gives another figure",
    )
    assert ctx.writer.undoText() == "Verification note"
    ctx.writer.undo()
    ctx.writer.undo()
    qtbot.waitUntil(lambda: bar.verification_box.currentData() == "unverified", timeout=3000)
    assert bar.note_edit.text() == ""
    assert bar.status_box.currentData() == "in_review"


def test_a_sensitive_article_is_blurred_until_revealed_for_the_session(
    qtbot, ctx, article_id
) -> None:
    review.flag(ctx.archive, article_id, True, "graphic")
    reader = open_reader(qtbot, ctx, article_id)
    assert reader.view.blurred
    assert reader.view.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction
    banner = reader.review_bar.banner
    assert banner.isVisible() and "graphic" in reader.review_bar.banner_label.text()
    # The keyboard reveals it, from anywhere in the reader.
    reader.activateWindow()
    qtbot.waitUntil(reader.isActiveWindow, timeout=2000)
    reader.view.setFocus()
    qtbot.keyClick(reader.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    assert not reader.view.blurred
    assert reader.review_bar.reveal_button.text() == "Hide again"
    assert reader.view.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
    # Still revealed when opened again in this session...
    reader.article = None
    with qtbot.waitSignal(ctx.articleShown, timeout=2000):
        ctx.open_article(article_id)
    assert not reader.view.blurred
    # ... hidden again on request (the banner's button) ...
    qtbot.mouseClick(reader.review_bar.reveal_button, Qt.MouseButton.LeftButton)
    assert reader.view.blurred
    qtbot.mouseClick(reader.review_bar.reveal_button, Qt.MouseButton.LeftButton)
    assert not reader.view.blurred
    # ... and a new session starts blurred.
    other = AppContext(ctx.archive)
    other.tasks = TaskRunner(other)
    other.writer.inline = True
    assert not RevealState.of(other).is_revealed(article_id)
    second = open_reader(qtbot, other, article_id)
    assert second.view.blurred
    other.tasks.cancel_all()
    assert other.tasks.wait(10000)


def test_a_sensitive_passage_is_a_bar_until_revealed(qtbot, ctx, article_id) -> None:
    ann = _tag(ctx, article_id)
    reader = open_reader(qtbot, ctx, article_id)
    assert _format_at(reader, PHRASE).background().color() != BAR_COLOUR
    # The context menu's actions for the passage: mark it sensitive.
    reader.view.context_point = TEXT.index(PHRASE) + 2
    actions = {a.objectName(): a for a in reader._passage_actions()}
    assert set(actions) == {"verifyClaim", "flagPassage"}
    assert actions["flagPassage"].text() == "Mark sensitive"
    actions["flagPassage"].trigger()
    assert review.get_claim(ctx.archive, ann).sensitive
    qtbot.waitUntil(lambda: _format_at(reader, PHRASE).background().color() == BAR_COLOUR)
    assert _format_at(reader, PHRASE).foreground().color().alpha() == 0
    assert not reader.view.blurred  # only the passage is hidden
    assert "1 sensitive passage" in reader.review_bar.banner_label.text()
    reader.view.place_caret(TEXT.index(PHRASE) + 2)
    assert "Sensitive passage" in reader.side_label.text()
    assert "police" not in reader.side_label.text()
    # Opening it at the passage (a search hit, a notes link) marks nothing over the bar.
    start = TEXT.index(PHRASE)
    ctx.open_article(article_id, [(start, start + len(PHRASE))])
    assert reader.view.matches == [] and reader.selection_span() is None
    assert reader.view.caret_code_point() == start
    # Alt+Down goes to the hidden passage without selecting it (a selection shows the text).
    reader.view.place_caret(0)
    assert reader.step_annotation(1).id == ann
    assert reader.selection_span() is None
    assert reader.view.caret_code_point() == TEXT.index(PHRASE)
    actions = {a.objectName(): a for a in reader._passage_actions()}
    assert actions["flagPassage"].text() == "Mark not sensitive"
    actions["revealPassage"].trigger()
    assert _format_at(reader, PHRASE).background().color() != BAR_COLOUR
    assert "revealPassage" not in {a.objectName() for a in reader._passage_actions()}


def test_verify_claim_form_from_the_context_menu(qtbot, ctx, article_id) -> None:
    ann = _tag(ctx, article_id)
    reader = open_reader(qtbot, ctx, article_id)
    reader.view.context_point = TEXT.index(PHRASE) + 2
    actions = {a.objectName(): a for a in reader._passage_actions()}
    actions["verifyClaim"].trigger()
    dialog = reader.findChild(ClaimDialog)
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    dialog.status_box.setCurrentIndex(dialog.status_box.findData("corroborated"))
    dialog.note_edit.setPlainText("Also in the union's statement")
    dialog.save()
    claim = review.get_claim(ctx.archive, ann)
    assert (claim.verification, claim.verification_note) == (
        "corroborated",
        "Also in the union's statement",
    )
    qtbot.waitUntil(lambda: reader.article.annotations[0].verification == "corroborated")


def test_the_annotation_panel_hides_sensitive_quotes_until_revealed(qtbot, ctx, article_id) -> None:
    from desktop.panels.annotations import AnnotationsPanel

    ann = _tag(ctx, article_id)
    review.flag(ctx.archive, ann, True, "personal")
    panel = AnnotationsPanel(ctx)
    qtbot.addWidget(panel)
    panel.show_article(article_id)
    quote = panel.model.index(0, panel.model.QUOTE)
    assert quote.data() == "(sensitive: hidden)"
    assert panel.model.index(0, panel.model.ENTITY).data() == ""
    actions = claim_actions_of(ctx, panel, panel.model.annotation(0))
    assert {"verifyClaim", "flagPassage", "revealPassage"} <= set(actions)
    actions["revealPassage"].trigger()
    assert panel.model.index(0, panel.model.QUOTE).data().startswith("More than 600")
    # A sensitive article hides every quote of it, until the article is revealed.
    review.flag(ctx.archive, article_id, True)
    panel.refresh()
    assert panel.model.index(0, panel.model.QUOTE).data() == "(sensitive: hidden)"
    RevealState.of(ctx).reveal([article_id])
    assert panel.model.index(0, panel.model.QUOTE).data().startswith("More than 600")


def claim_actions_of(ctx, parent, ann):  # type: ignore[no-untyped-def]
    from desktop.review.claims import claim_actions

    return {a.objectName(): a for a in claim_actions(ctx, parent, ann)}
