"""The article details form shows and edits provenance (issue 14); the reader's header
gives a capture's URL and time; Import options set the provenance of the next imports."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLineEdit

from archive import articles
from archive.ingest import import_paths
from desktop.importing.controller import ImportController
from desktop.library.article_form import ArticleForm
from desktop.reader import ReaderPanel
from tests.archive.ingest.captures import pages, wacz_bytes


def capture(ctx, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "crawl.wacz"
    path.write_bytes(wacz_bytes(pages(1)))
    (item,) = import_paths(ctx.archive, [path], index=False).imported
    return item.id


def test_provenance_fields_show_and_save(qtbot, ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    article_id = capture(ctx, tmp_path)
    form = ArticleForm(ctx, article_id)
    qtbot.addWidget(form)
    form.show()
    field = {
        k: form.findChild(QLineEdit, k)
        for k in ("captured_at", "collected_by", "collected_with", "collected_from")
    }
    assert all(field.values())
    url, _, when = pages(1)[0]
    assert field["captured_at"].text() == when
    assert field["collected_with"].text() == "Browsertrix-Crawler 1.1"
    assert field["collected_from"].text() == url
    assert field["collected_by"].text()  # the local user

    field["captured_at"].setText("2024-03-05 17:30+07:00")
    field["collected_with"].setText("Hunchly")
    field["collected_by"].setText("Ma Thida")
    assert form.changes() == {
        "captured_at": "2024-03-05 17:30+07:00",
        "collected_with": "Hunchly",
        "collected_by": "Ma Thida",
    }
    with qtbot.waitSignal(form.saved, timeout=5000):
        form.save()
    record = articles.get_article(ctx.archive, article_id)
    assert (record.captured_at, record.collected_with, record.collected_by) == (
        "2024-03-05T10:30:00Z",
        "Hunchly",
        "Ma Thida",
    )


def test_a_wrong_capture_time_keeps_the_form_open(qtbot, ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    article_id = capture(ctx, tmp_path)
    form = ArticleForm(ctx, article_id)
    qtbot.addWidget(form)
    form.show()
    form.findChild(QLineEdit, "captured_at").setText("last Tuesday")
    form.save()
    qtbot.waitUntil(lambda: "ISO 8601" in form.problem.text(), timeout=5000)
    assert form.isVisible()
    assert articles.get_article(ctx.archive, article_id).captured_at == pages(1)[0][2]


def test_reader_header_names_the_capture(qtbot, ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    article_id = capture(ctx, tmp_path)
    reader = ReaderPanel(ctx)
    qtbot.addWidget(reader)
    reader.show()
    with qtbot.waitSignal(ctx.articleShown, timeout=5000):
        ctx.open_article(article_id)
    url, _, when = pages(1)[0]
    assert reader.url_label.text() == f"{url} · captured {when[:10]} {when[11:16]} UTC"


def test_import_options_apply_to_the_next_import(qtbot, ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    qtbot.addWidget(window)
    importer = ImportController(ctx, window)
    dialog = importer.import_options()
    assert not dialog.isModal()
    dialog.fields["collected_by"].setText("Ko Aung")
    dialog.fields["collected_from"].setText("  field   phone ")
    dialog.save()
    (tmp_path / "note.txt").write_text("Field note\n\nTwo convoys arrived at dawn.\n")
    with qtbot.waitSignal(importer.importFinished, timeout=20000) as done:
        importer.import_paths([tmp_path / "note.txt"])
    (item,) = done.args[0]["imported"]
    record = articles.get_article(ctx.archive, item["id"])
    assert (record.collected_by, record.collected_with, record.collected_from) == (
        "Ko Aung",
        "Sesame import",
        "field phone",
    )
    if importer.summary is not None:
        importer.summary.close()
