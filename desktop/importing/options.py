"""File → Import options…: who collected the files being imported, with what, from where,
and the languages OCR reads scans and images in (`desktop.importing.ocr_choice`).

A small non-blocking form (issue 14). Its values apply to every import the
window starts afterwards (files, folders, dropped files), until changed;
left empty, the core's defaults hold: you as collector, a capture's own tool
(else "Sesame import"), a capture's URL.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from archive.provenance import Provenance
from desktop.importing.ocr_choice import OcrLanguageChoice


class ImportOptionsDialog(QDialog):
    """Collected by / with / from for the next imports."""

    changed = Signal(object)  # the new Provenance

    def __init__(self, current: Provenance, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importOptions")
        self.setWindowTitle(self.tr("Import options"))
        form = QFormLayout(self)
        intro = QLabel(
            self.tr(
                "Provenance recorded on the articles of the next imports. Left empty: "
                "you, the capture's own tool (else “Sesame import”), the capture's URL."
            )
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.fields: dict[str, QLineEdit] = {}
        for key, label, hint in (
            ("collected_by", self.tr("Collected by"), self.tr("you")),
            (
                "collected_with",
                self.tr("Collected with"),
                self.tr("the capture's tool, else Sesame import"),
            ),
            ("collected_from", self.tr("Collected from"), self.tr("the capture's URL")),
        ):
            edit = QLineEdit(getattr(current, key) or "")
            edit.setObjectName(key)
            edit.setPlaceholderText(hint)
            self.fields[key] = edit
            form.addRow(label, edit)
        self.ocr_languages = OcrLanguageChoice(self)
        form.addRow(self.tr("Read scans and images in"), self.ocr_languages)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def provenance(self) -> Provenance:
        values = {k: (e.text().strip() or None) for k, e in self.fields.items()}
        return Provenance(**values).cleaned()

    def save(self) -> None:
        self.ocr_languages.save()
        self.changed.emit(self.provenance())
        self.accept()
