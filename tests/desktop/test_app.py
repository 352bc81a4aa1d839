"""Start-up, settings, layout, theme, first run, fonts, search results model."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QFontDatabase, QKeySequence
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication

from archive import identity
from archive.store import Archive
from desktop import app as desktop_app
from desktop import fonts
from desktop import settings as st
from desktop.search.model import HTML_ROLE, SearchResultsModel, snippet_html


def test_settings_defaults_and_round_trip(settings) -> None:
    assert settings.path.parent == Path(identity.config_dir())
    assert settings.get(st.THEME) == "system"
    assert settings.get(st.FIRST_RUN_DONE) is False
    settings.set(st.FIRST_RUN_DONE, True)
    settings.set(st.SEARCH_LIMIT, 50)
    settings.set(st.WINDOW_STATE, QByteArray(b"\x00\x01state"))
    settings.sync()
    again = st.Settings()
    assert again.get(st.FIRST_RUN_DONE) is True
    assert again.get(st.SEARCH_LIMIT) == 50
    assert bytes(again.get(st.WINDOW_STATE)) == b"\x00\x01state"
    # A value of the wrong kind falls back to the default.
    again._qs.setValue(st.SEARCH_LIMIT.key, "many")
    assert again.get(st.SEARCH_LIMIT) == st.SEARCH_LIMIT.default
    assert len({s.key for s in st.ALL}) == len(st.ALL)


def test_layout_is_remembered(qtbot, window, archive, settings) -> None:
    window.resize(1210, 700)
    window.search_dock.hide()
    window.save_layout()
    from desktop.main_window import MainWindow

    second = MainWindow(window.ctx, st.Settings())
    qtbot.addWidget(second)
    second.show()
    # The offscreen screen is small and Qt fits the geometry to it, so check
    # that it was stored, and that the dock layout came back.
    assert not st.Settings().get(st.WINDOW_GEOMETRY).isEmpty()
    assert second.search_dock.isHidden()
    second.shutdown()


def test_standard_shortcuts(window) -> None:
    assert window.import_files_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Open)
    assert window.find_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Find)
    assert window.quit_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)
    assert window.undo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert QKeySequence("Ctrl+Shift+Z") in window.redo_action.shortcuts()
    # A key listed twice on one action is "ambiguous" to Qt and does nothing.
    for action in window.findChildren(QAction):
        keys = [k.toString() for k in action.shortcuts()]
        assert len(keys) == len(set(keys)), (action.text(), keys)
    for action in window.coming_soon.values():
        assert not action.isEnabled() and action.text().endswith("(coming soon)")


def test_ctrl_f_focuses_the_search_bar(qtbot, window) -> None:
    window.activateWindow()
    window.find_action.trigger()
    assert window.search.query_edit.hasFocus() or QApplication.focusWidget() in (
        window.search.query_edit,
        None,  # offscreen windows may not take focus
    )
    assert not window.search_dock.isHidden()


def test_theme_follows_the_preference(qtbot) -> None:
    from PySide6.QtGui import QPalette

    from desktop.theme import apply_theme

    app = QApplication.instance()

    def is_dark() -> bool:
        return app.palette().color(QPalette.ColorRole.Base).lightness() < 128

    assert apply_theme(app, "dark") is True and is_dark()
    assert apply_theme(app, "light") is False and not is_dark()
    apply_theme(app, "system")
    assert is_dark() == (QApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark)


def test_locked_archive_is_a_clear_message(monkeypatch, archive_dir, dialogs) -> None:
    holder = Archive.open(archive_dir, create=True)
    try:
        status = desktop_app.main(["--archive", str(archive_dir), "--no-first-run"])
    finally:
        holder.close()
    assert status == 2
    [(_kind, title, text)] = dialogs.of_kind("critical")
    assert title == "The archive is already open" and "Close it there" in text


def test_not_an_archive_is_a_clear_message(tmp_path, dialogs) -> None:
    folder = tmp_path / "other"
    folder.mkdir()
    conn = sqlite3.connect(folder / "archive.sqlite")
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    assert desktop_app.main(["--archive", str(folder), "--no-first-run"]) == 2
    [(_, title, text)] = dialogs.of_kind("critical")
    assert title == "This folder is not a Sesame archive" and str(folder) in text


def test_too_new_archive_is_refused_untouched(tmp_path, dialogs) -> None:
    folder = tmp_path / "future"
    Archive.open(folder, create=True).close()
    conn = sqlite3.connect(folder / "archive.sqlite")
    conn.execute("PRAGMA user_version=999")
    conn.commit()
    conn.close()
    before = (folder / "archive.sqlite").read_bytes()
    assert desktop_app.main(["--archive", str(folder), "--no-first-run"]) == 2
    [(_, title, _text)] = dialogs.of_kind("critical")
    assert title == "The archive needs a newer Sesame"
    assert (folder / "archive.sqlite").read_bytes() == before


def test_first_run_sets_the_name_and_imports_the_demo(qtbot, window) -> None:
    from desktop.first_run import demo_files, maybe_run_first_run

    assert len(demo_files()) >= 3
    dialog = maybe_run_first_run(window)
    assert dialog is not None and dialog.isVisible()
    assert dialog.demo_box.isChecked()
    dialog.name_edit.setText("")
    dialog.accept()  # an empty name is refused, the dialog stays
    assert dialog.isVisible()
    dialog.name_edit.setText("Aye Chan")
    with (
        qtbot.waitSignal(window.importer.importFinished, timeout=30000) as done,
        qtbot.waitSignal(window.library.loaded, timeout=30000),
    ):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert identity.local_identity().display_name in ("Aye Chan", "Test User")
    assert len(done.args[0]["imported"]) == len(demo_files())
    assert not done.args[0]["failed"]
    assert window.library.model.rowCount() == len(demo_files())
    # Not asked again.
    assert maybe_run_first_run(window) is None


def test_demo_articles_have_dates_sources_and_a_burmese_passage(qtbot, window) -> None:
    from desktop.first_run import demo_files

    with qtbot.waitSignal(window.library.loaded, timeout=30000):
        window.importer.import_paths(demo_files())
    rows = [window.library.model.library_row(window.library.model.article_id(r)) for r in range(4)]
    assert all(r.published.startswith("2024-") for r in rows)
    assert all(r.source for r in rows)
    assert any(fonts.scripts_in(p.read_text(encoding="utf-8")) for p in demo_files())


def test_font_check_names_missing_scripts(monkeypatch, qtbot) -> None:
    text = "Police said ၅၀ ဦး were detained; 警察 were there."
    assert set(fonts.scripts_in(text)) == {"Myanmar", "Chinese"}
    # The real font database decides what is missing on this machine.
    real = fonts.missing_scripts(text)
    for name in ("Myanmar", "Chinese"):
        ws = fonts.scripts_in(text)[name][0]
        assert (name in real) == (not QFontDatabase.families(ws))


def test_font_warning_is_shown_once_per_script(monkeypatch, qtbot) -> None:
    monkeypatch.setattr(fonts, "has_font_for", lambda ws: ws != QFontDatabase.WritingSystem.Myanmar)
    warner = fonts.FontWarner()
    with qtbot.waitSignal(warner.warned, timeout=1000) as warned:
        assert warner.check("ရဲတပ်ဖွဲ့ဝင် police") == {"Myanmar": "fonts-noto-core (or fonts-sil-padauk)"}
    assert "Myanmar" in warned.args[0] and "fonts-noto-core" in warned.args[0]
    assert warner.box is not None and warner.box.isVisible()  # non-modal
    warner.box.close()
    assert warner.check("မြန်မာ again") == {}
    assert warner.check("plain English") == {}


def test_opening_a_burmese_article_checks_fonts(monkeypatch, qtbot, window) -> None:
    from archive import models

    monkeypatch.setattr(fonts, "has_font_for", lambda ws: ws != QFontDatabase.WritingSystem.Myanmar)
    with window.ctx.archive.transaction() as s:
        article = models.Article(title="Curfew", text="ညမထွက်ရအမိန့် extended.")
        s.add(article)
    with qtbot.waitSignal(window.font_warner.warned, timeout=5000):
        window.ctx.articleShown.emit(article.id)


@pytest.mark.parametrize(
    ("snippet", "spans", "expected"),
    [
        ("Riot [[police]] came", None, "Riot <mark>police</mark> came"),
        ("a <b> & [[c]]", None, "a &lt;b&gt; &amp; <mark>c</mark>"),
        ("emoji 😀 police", [(8, 14)], "emoji 😀 <mark>police</mark>"),
        ("no marks", None, "no marks"),
    ],
)
def test_snippet_html(snippet: str, spans, expected: str) -> None:
    assert snippet_html(snippet, spans) == expected


def test_results_model_passes_the_tester(qtbot) -> None:
    from archive.search import Hit

    model = SearchResultsModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    hits = [
        Hit(id="a", title="One", published="2024-01-02", source="S", score=1.0, snippet="x"),
        Hit(id="b", title="", published=None, source=None, score=0.5, snippet="[[y]] <z>"),
    ]
    model.set_results(hits, 7)
    assert model.rowCount() == 2 and model.total == 7
    assert model.index(1).data() == "(untitled)"
    assert "<mark>y</mark> &lt;z&gt;" in model.index(1).data(HTML_ROLE)
    model.clear()
    assert model.rowCount() == 0


def test_toolbar_undo_keeps_a_short_label(qtbot, window) -> None:
    from archive import entities

    writer = window.ctx.writer
    assert not window.toolbar_undo.isEnabled()
    label = "Tag as Actor “A very long name of a person”"
    writer.change(label, lambda ch: entities.create_entity(ch, "actor", "A very long name"))
    assert writer.wait()
    assert window.toolbar_undo.isEnabled() and window.toolbar_undo.text() == "Undo"
    assert "A very long name" in window.toolbar_undo.toolTip()
    window.toolbar_undo.trigger()
    assert writer.wait()
    assert entities.list_entities(window.ctx.archive) == []
    assert window.toolbar_redo.isEnabled() and not window.toolbar_undo.isEnabled()


def test_start_up_repairs_a_missing_search_index(qtbot, window) -> None:
    """An index lost (crash, copied archive) is rebuilt in the background at start-up."""
    import shutil

    from archive import models
    from archive.store import mark_for_index

    archive = window.ctx.archive
    with archive.transaction() as s:
        article = models.Article(title="Curfew order", text="The curfew began at nine.")
        s.add(article)
        mark_for_index(s, article.id)
    if archive._index is not None:
        archive.index.close()
        archive._index = None
    shutil.rmtree(archive.index_dir, ignore_errors=True)
    job = desktop_app.repair_index_in_background(window.ctx)
    qtbot.waitUntil(lambda: not window.ctx.tasks.busy, timeout=20000)
    assert job is not None and archive.index_dir.exists()
    assert archive.index.search("curfew", facets=False).total == 1


def test_the_font_warning_leaves_the_window_usable(monkeypatch, qtbot, window) -> None:
    """It is not modal: the window's shortcuts (Ctrl+Z, A / E / F) keep working under it."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    monkeypatch.setattr(fonts, "has_font_for", lambda ws: ws != QFontDatabase.WritingSystem.Myanmar)
    window.font_warner.check("ရဲတပ်ဖွဲ့ဝင်")
    box = window.font_warner.box
    assert box is not None and box.isVisible()
    assert box.windowModality() == Qt.WindowModality.NonModal
    assert QApplication.activeModalWidget() is None
    box.close()
