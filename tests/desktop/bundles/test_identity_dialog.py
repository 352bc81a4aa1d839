"""Help → Your identity and contacts…: the same values as `sesame whoami`; contacts kept."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QAbstractItemModelTester

from archive import keys
from tests.archive.annotate.test_cli import run


def _key() -> str:
    return keys.public_key_text(Ed25519PrivateKey.generate())


def _opened(qtbot, window):  # type: ignore[no-untyped-def]
    job = window.bundles.show_identity()
    qtbot.waitUntil(lambda: job.finished, timeout=20_000)
    dialog = window.bundles.dialog
    assert dialog.objectName() == "identityDialog" and dialog.isVisible()
    return dialog


def test_it_shows_what_whoami_shows_with_copy_buttons(qtbot, window) -> None:
    dialog = _opened(qtbot, window)
    code, me, _ = run("whoami")
    assert code == 0
    for key in ("display_name", "fingerprint", "public_key", "age_recipient"):
        assert dialog.values[key].text() == me[key]
    dialog.copy_buttons["fingerprint"].click()
    assert QGuiApplication.clipboard().text() == me["fingerprint"]
    dialog.copy_buttons["age_recipient"].click()
    assert QGuiApplication.clipboard().text().startswith("age1")


def test_contacts_are_added_checked_replaced_after_asking_and_removed(
    qtbot, window, dialogs
) -> None:
    dialog = _opened(qtbot, window)
    QAbstractItemModelTester(dialog.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    first, second = _key(), _key()
    dialog.name_edit.setText("Aung Kyaw")
    dialog.key_edit.setText("notakey")
    assert not dialog.add_button.isEnabled() and "not a Sesame public key" in dialog.check.text()
    dialog.key_edit.setText(first)
    assert keys.fingerprint(first) in dialog.check.text() and dialog.add_button.isEnabled()
    dialog.add_button.click()
    assert [(c.name, c.public_key) for c in keys.contacts()] == [("Aung Kyaw", first)]
    assert dialog.model.rowCount() == 1
    assert dialog.model.index(0, 1).data() == keys.fingerprint(first)

    dialog.name_edit.setText("Aung Kyaw")
    dialog.key_edit.setText(second)
    dialogs.answer("confirm", False)  # not replaced
    dialog.add_button.click()
    assert [c.public_key for c in keys.contacts()] == [first]
    dialogs.answer("confirm", True)
    dialog.add_button.click()
    assert [c.public_key for c in keys.contacts()] == [second]

    dialog.name_edit.setText("Me")
    dialog.key_edit.setText(keys.public_key_text())
    dialog.add_button.click()
    assert "your own key" in dialog.check.text() and len(keys.contacts()) == 1

    dialog.table.selectRow(0)
    assert dialog.remove_button.isEnabled()
    dialogs.answer("confirm", True)
    dialog.remove_button.click()
    assert keys.contacts() == [] and dialog.model.rowCount() == 0
