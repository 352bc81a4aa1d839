"""File → Export bundle…: the articles the current search finds, and pseudonyms."""

from __future__ import annotations

import json
import zipfile

from PySide6.QtWidgets import QDialogButtonBox

from archive.bundles.reader import open_bundle
from tests.archive.bundles.conftest import add_report, tag


def test_export_the_search_with_a_pseudonym(qtbot, window, tmp_path, dialogs) -> None:
    archive = window.ctx.archive
    aid = add_report(archive)
    tag(archive, aid, "Daw Hnin Wai", entity_name="Hnin Wai")
    add_report(archive, "Floods in Sagaing\n\nThe river rose overnight.", title="Floods")
    window.search.query_edit.setText("nurses")
    window.bundles.export_bundle()
    dialog = window.bundles.dialog
    assert dialog.objectName() == "exportBundleDialog"
    assert dialog.query_button.isEnabled() and "nurses" in dialog.query_button.text()
    dialog.query_button.setChecked(True)
    dialog.pseudonyms.setText("Hnin Wai")
    dialog.plain.setChecked(True)
    out = tmp_path / "search.sesame"
    dialogs.answer("save", out)
    with qtbot.waitSignal(window.bundles.exported, timeout=20_000) as exported:
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert exported.args[0].counts["articles"] == 1
    bundle = open_bundle(out)
    try:
        assert [a["id"] for a in bundle.articles] == [aid]
        assert [e["name"] for e in bundle.entities] == ["Actor A"]
    finally:
        bundle.close()
    with zipfile.ZipFile(out) as zf:
        assert json.loads(zf.read("manifest.json"))["options"]["pseudonyms"]


def test_without_a_search_the_choice_is_off(qtbot, window) -> None:
    window.bundles.export_bundle()
    dialog = window.bundles.dialog
    assert not dialog.query_button.isEnabled() and dialog.choice()["pseudonymise"] == []
