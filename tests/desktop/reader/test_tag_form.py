"""The tagging form: a good starting name, event date and place, figures without a value,
and what the reader shows right after tagging (QA findings M2, 16, 17, 18)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from archive import annotate, entities
from archive.tagform import parse_date_range, tag_prefill
from desktop.reader.text_view import MATCH_COLOUR
from tests.desktop.reader.articles import add_article, utf16
from tests.desktop.reader.test_reader import open_reader, select_with_qt

TEXT = (
    "Yesterday Major Tin Min Tun told reporters that the army staged a coup on Feb. 1 "
    "in the capital. Later, the army staged a march through the town.\n"
)


def test_actor_name_starts_as_the_suggesters_name_fully_selected(qtbot, ctx) -> None:
    article_id = add_article(ctx.archive, TEXT)
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, "Major Tin Min Tun")
    qtbot.keyClick(reader.view, Qt.Key.Key_A)
    dialog = reader.tag_dialog
    assert dialog.entity_edit.text() == "Tin Min Tun"
    assert dialog.entity_edit.selectedText() == "Tin Min Tun"
    # Wide enough for the placeholder text.
    placeholder = dialog.entity_edit.placeholderText()
    assert dialog.entity_edit.width() >= dialog.entity_edit.fontMetrics().horizontalAdvance(
        placeholder
    )
    assert dialog.minimumWidth() >= 360
    # Enter (the natural reflex) creates the entity.
    qtbot.keyClick(dialog.entity_edit, Qt.Key.Key_Return)
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    assert ann.entity == "Tin Min Tun"


def test_typing_replaces_the_starting_name(qtbot, ctx) -> None:
    article_id = add_article(ctx.archive, TEXT)
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, "Major Tin Min Tun")
    qtbot.keyClick(reader.view, Qt.Key.Key_A)
    qtbot.keyClicks(reader.tag_dialog.entity_edit, "T. M. Tun")
    assert reader.tag_dialog.entity_edit.text() == "T. M. Tun"
    reader.tag_dialog.reject()


def test_an_existing_entity_with_that_alias_is_preferred(qtbot, ctx) -> None:
    entities.create_entity(
        ctx.archive, "actor", "Tin Min Tun (army)", aliases=["Major Tin Min Tun"]
    )
    article_id = add_article(ctx.archive, TEXT)
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, "Major Tin Min Tun")
    qtbot.keyClick(reader.view, Qt.Key.Key_A)
    assert reader.tag_dialog.entity_edit.text() == "Tin Min Tun (army)"
    reader.tag_dialog.accept()
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    assert ann.entity == "Tin Min Tun (army)"
    assert len(entities.list_entities(ctx.archive, "actor")) == 1


def test_prefill_falls_back_to_the_selected_text_for_actors_only() -> None:
    text = "The Harbour Workers Union met the mayor."
    start, end = 4, 25
    assert tag_prefill(text, start, end, "actor", None, []) == {"entity": "Harbour Workers Union"}
    assert "entity" not in tag_prefill(text, 4, 25, "figure", None, [])


def test_the_name_stays_quick_in_a_long_article() -> None:
    import time

    text = TEXT * 2000  # ~280,000 characters: only the selection's surroundings are read
    start = text.index("Major", len(text) // 2)
    began = time.perf_counter()
    prefill = tag_prefill(text, start, start + 17, "actor", "2021-03-05", [])
    assert prefill == {"entity": "Tin Min Tun"}
    assert time.perf_counter() - began < 0.5


def test_event_form_has_date_and_place_stored_on_the_entity(qtbot, ctx) -> None:
    article_id = add_article(ctx.archive, TEXT, published="2021-03-05")
    reader = open_reader(qtbot, ctx, article_id)
    phrase = "the army staged a coup on Feb. 1 in the capital"
    select_with_qt(reader, TEXT, phrase)
    qtbot.keyClick(reader.view, Qt.Key.Key_E)
    dialog = reader.tag_dialog
    assert dialog.date_edit.isVisibleTo(dialog) and dialog.place_edit.isVisibleTo(dialog)
    assert dialog.date_edit.text() == "2021-02-01"  # the suggester's date for the passage
    qtbot.keyClicks(dialog.entity_edit, "Coup")
    dialog.date_edit.setText("2021-02-01 to 2021-02-02")
    dialog.place_edit.setText("Naypyitaw")
    qtbot.keyClick(dialog.place_edit, Qt.Key.Key_Return)
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    event = entities.get_entity(ctx.archive, ann.entity_id)
    assert (event.name, event.date_start, event.date_end, event.place) == (
        "Coup", "2021-02-01", "2021-02-02", "Naypyitaw"
    )  # fmt: skip
    # One undo step takes the tag and the new event away.
    ctx.writer.undo()
    assert annotate.list_annotations(ctx.archive, article_id) == []
    assert entities.list_entities(ctx.archive, "event") == []


def test_event_details_go_on_an_existing_event(qtbot, ctx) -> None:
    coup = entities.create_entity(ctx.archive, "event", "Coup")
    article_id = add_article(ctx.archive, TEXT)
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, "the army staged a coup")
    qtbot.keyClick(reader.view, Qt.Key.Key_E)
    dialog = reader.tag_dialog
    dialog.entity_edit.setText("coup")
    dialog.date_edit.setText("2021-02-01")
    dialog.place_edit.setText("Naypyitaw")
    dialog.accept()
    event = entities.get_entity(ctx.archive, coup.id)
    assert (event.date_start, event.place) == ("2021-02-01", "Naypyitaw")
    ctx.writer.undo()
    event = entities.get_entity(ctx.archive, coup.id)
    assert (event.date_start, event.place) == (None, None)


def test_a_bad_event_date_or_a_nameless_placed_event_is_explained(qtbot, ctx) -> None:
    article_id = add_article(ctx.archive, TEXT)
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, "the army staged a march")
    qtbot.keyClick(reader.view, Qt.Key.Key_E)
    dialog = reader.tag_dialog
    dialog.date_edit.setText("last week")
    dialog.accept()
    assert dialog.isVisible() and "2021-02-01" in dialog.error_label.text()
    dialog.date_edit.setText("2021-02-01")
    dialog.place_edit.setText("Yangon")
    dialog.entity_edit.clear()
    dialog.accept()
    assert dialog.isVisible() and "Name the event" in dialog.error_label.text()
    assert annotate.list_annotations(ctx.archive, article_id) == []
    # Without a place, a nameless event keeps its date on the tag.
    dialog.place_edit.clear()
    dialog.accept()
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    assert (ann.entity_id, ann.as_of) == (None, "2021-02-01")


def test_parse_date_range() -> None:
    assert parse_date_range("") == (None, None)
    assert parse_date_range("2021-02") == ("2021-02", None)
    assert parse_date_range("2021-02-01 to 2021-02-05") == ("2021-02-01", "2021-02-05")
    assert parse_date_range("2021-02-01 – 2021-02-05") == ("2021-02-01", "2021-02-05")
    assert parse_date_range("Feb 1") is None


def test_a_figure_without_value_is_stored_only_after_a_second_enter(qtbot, ctx) -> None:
    article_id = add_article(ctx.archive, TEXT)
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, "Major Tin Min Tun")
    qtbot.keyClick(reader.view, Qt.Key.Key_F)
    dialog = reader.tag_dialog
    assert dialog.value_edit.text() == ""
    qtbot.keyClick(dialog.entity_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and "No value" in dialog.error_label.text()
    assert dialog.error_label.isVisibleTo(dialog)
    assert annotate.list_annotations(ctx.archive, article_id) == []
    qtbot.keyClick(dialog.value_edit, Qt.Key.Key_Return)
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    assert ann.type == "figure" and ann.value is None


def test_after_tagging_the_selection_is_dropped_so_the_colour_shows(qtbot, ctx) -> None:
    article_id = add_article(ctx.archive, TEXT)
    reader = open_reader(qtbot, ctx, article_id)
    phrase = "Major Tin Min Tun"
    select_with_qt(reader, TEXT, phrase)
    qtbot.keyClick(reader.view, Qt.Key.Key_A)
    reader.tag_dialog.accept()
    assert annotate.list_annotations(ctx.archive, article_id)
    cursor = reader.view.textCursor()
    assert not cursor.hasSelection()
    assert cursor.position() == utf16(TEXT[: TEXT.index(phrase) + len(phrase)])


def distance(a: QColor, b: QColor) -> int:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())


def test_search_matches_look_unlike_every_tag_colour(qtbot, ctx) -> None:
    from archive import tagtypes

    for info in tagtypes.list_tag_types(ctx.archive):
        assert distance(MATCH_COLOUR, QColor(info.colour)) > 150, info.key
    article_id = add_article(ctx.archive, TEXT)
    reader = open_reader(qtbot, ctx, article_id)
    reader.open_article(article_id, [(10, 15)])
    (sel,) = reader.view.extraSelections()
    assert sel.format.fontUnderline()
    assert sel.format.background().color() == MATCH_COLOUR
