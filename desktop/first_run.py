"""The first run on a machine: a display name, and the demo articles.

Annotations carry their author's display name, so we ask for it once; and a
new archive is empty, so we offer a few short demo articles written for the
project (desktop/resources/demo/) to try searching and tagging on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from archive import identity
from archive.library import article_count
from desktop import settings as st
from desktop.resources import demo_files

if TYPE_CHECKING:
    from desktop.main_window import MainWindow


def is_first_run(prefs: st.Settings) -> bool:
    """No display name saved yet, or the first-run questions never answered."""
    return not identity.has_identity() or not prefs.get(st.FIRST_RUN_DONE)


class FirstRunDialog(QDialog):
    """Asks for the display name and offers the demo articles (non-modal)."""

    answered = Signal(str, bool)  # display name, import the demo articles

    def __init__(self, offer_demo: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRun")
        self.setWindowTitle(self.tr("Welcome to Sesame"))
        intro = QLabel(
            self.tr(
                "Sesame keeps your articles, searches and tags on this computer; "
                "nothing is sent anywhere.\n\n"
                "Your name is written next to each passage you tag, so colleagues "
                "who receive your work know who tagged what."
            )
        )
        intro.setWordWrap(True)
        self.name_edit = QLineEdit(identity.local_identity().display_name)
        self.name_edit.setObjectName("displayName")
        self.demo_box = QCheckBox(self.tr("Import four short demo articles to try Sesame on"))
        self.demo_box.setChecked(offer_demo)
        self.demo_box.setVisible(offer_demo)
        form = QFormLayout()
        form.addRow(self.tr("Your name:"), self.name_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.demo_box)
        layout.addWidget(buttons)

    def accept(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self.name_edit.setPlaceholderText(self.tr("Please write a name"))
            self.name_edit.setFocus()
            return
        self.answered.emit(name, self.demo_box.isChecked())
        super().accept()


def maybe_run_first_run(window: MainWindow) -> FirstRunDialog | None:
    """Show the first-run questions if this is the first run; returns the dialog."""
    if not is_first_run(window.prefs):
        return None
    empty = article_count(window.ctx.archive) == 0
    dialog = FirstRunDialog(offer_demo=empty and bool(demo_files()), parent=window)

    def answered(name: str, demo: bool) -> None:
        identity.set_display_name(name)
        window.prefs.set(st.FIRST_RUN_DONE, True)
        window.prefs.sync()
        if demo:
            window.importer.import_paths(demo_files())

    dialog.answered.connect(answered)
    window.first_run_dialog = dialog  # type: ignore[attr-defined]
    dialog.open()
    return dialog
