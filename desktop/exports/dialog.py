"""The export options window: what to export (scope), pseudonyms, leaving out what is flagged
sensitive, and the CSV's kind and BOM.

Non-blocking (`show()`): it emits `chosen` with the options, so no test can hang on it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

TITLES = {
    "w3c": "Export W3C Web Annotations",
    "csv": "Export CSV",
    "report": "Export HTML report",
    "pdf": "Export PDF report",
    "qdpx": "Export to REFI-QDA",
}
CSV_KINDS = (
    ("annotations", "One row per annotation"),
    ("figures", "One row per figure claim"),
    ("entities", "One row per entity"),
    ("roles", "One row per role (who did what to whom)"),
    ("relations", "One row per relation between actors"),
)


class ExportOptionsDialog(QDialog):
    """Scope (archive, the library's collection, the selected articles, the current search),
    names to replace by pseudonyms, and for CSV what one row is and whether to add a BOM."""

    # {"scope": archive|collection|selected|query, "pseudonymise": [names],
    #  "without_sensitive": bool, "kind", "bom"}
    chosen = Signal(object)  # a dict (Signal(dict) copies it through a QVariantMap)

    def __init__(
        self,
        fmt: str,
        collection: str | None,
        selected: int,
        query: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.fmt = fmt
        self.setObjectName("exportOptionsDialog")
        self.setWindowTitle(self.tr(TITLES.get(fmt, "Export")))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("What to export:")))
        self.scope = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {
            "archive": QRadioButton(self.tr("The whole archive")),
            "collection": QRadioButton(
                self.tr("The collection “{0}”").format(collection)
                if collection
                else self.tr("A collection (choose one in the library first)")
            ),
            "selected": QRadioButton(self.tr("The {0} selected article(s)").format(selected)),
            "query": QRadioButton(
                self.tr("The articles the search “{0}” finds").format(query)
                if query
                else self.tr("A search's articles (search first)")
            ),
        }
        self.buttons["collection"].setEnabled(bool(collection))
        self.buttons["selected"].setEnabled(selected > 0)
        self.buttons["query"].setEnabled(bool(query))
        for i, (key, button) in enumerate(self.buttons.items()):
            button.setObjectName(f"scope_{key}")
            self.scope.addButton(button, i)
            layout.addWidget(button)
        self.buttons["selected" if selected else "archive"].setChecked(True)
        layout.addWidget(QLabel(self.tr("Replace these names by pseudonyms (comma-separated):")))
        self.pseudonyms = QLineEdit()
        self.pseudonyms.setObjectName("pseudonyms")
        self.pseudonyms.setPlaceholderText(self.tr("Entity names, e.g. a witness"))
        layout.addWidget(self.pseudonyms)
        self.sensitive = QCheckBox(
            self.tr("Leave out what is flagged sensitive (articles; passages are masked)")
        )
        self.sensitive.setObjectName("withoutSensitive")
        layout.addWidget(self.sensitive)
        self.kind = QComboBox()
        self.kind.setObjectName("csvKind")
        for key, label in CSV_KINDS:
            self.kind.addItem(self.tr(label), key)
        self.bom = QCheckBox(self.tr("Start with a byte-order mark (for older spreadsheets)"))
        self.bom.setObjectName("csvBom")
        if fmt == "csv":
            layout.addWidget(self.kind)
            layout.addWidget(self.bom)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def choice(self) -> dict[str, object]:
        """The options as chosen."""
        scope = next((k for k, b in self.buttons.items() if b.isChecked()), "archive")
        names = [n.strip() for n in self.pseudonyms.text().split(",") if n.strip()]
        return {
            "scope": scope,
            "pseudonymise": names,
            "without_sensitive": self.sensitive.isChecked(),
            "kind": self.kind.currentData(),
            "bom": self.bom.isChecked(),
        }

    def _accept(self) -> None:
        choice = self.choice()
        self.accept()
        self.chosen.emit(choice)
