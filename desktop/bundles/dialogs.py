"""The bundle windows: export options, the verdict before an import, the report after it.

All three are non-blocking (`open()` / `show()`), so no test can hang on them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from archive.encryption import MIN_PASSPHRASE


class ExportDialog(QDialog):
    """What to export (whole archive, the library's collection, the selected articles, the
    articles the current search finds), names to replace by pseudonyms, and how to
    protect it (no encryption, a passphrase, a colleague's age key)."""

    # {"scope": archive|collection|selected|query, "passphrase": str|None,
    #  "recipient": str|None, "without_sensitive": bool, "pseudonymise": [names]}
    chosen = Signal(object)  # a dict (Signal(dict) copies it through a QVariantMap)

    def __init__(
        self,
        collection: str | None,
        selected: int,
        parent: QWidget | None = None,
        query: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportBundleDialog")
        self.setWindowTitle(self.tr("Export bundle"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("What goes in the bundle:")))
        self.scope = QButtonGroup(self)
        self.all_button = QRadioButton(self.tr("The whole archive"))
        self.collection_button = QRadioButton(
            self.tr("The collection “{0}”").format(collection)
            if collection
            else self.tr("A collection (choose one in the library first)")
        )
        self.collection_button.setEnabled(bool(collection))
        self.selected_button = QRadioButton(self.tr("The {0} selected article(s)").format(selected))
        self.selected_button.setEnabled(selected > 0)
        self.query_button = QRadioButton(
            self.tr("The articles the search “{0}” finds").format(query)
            if query
            else self.tr("A search's articles (search first)")
        )
        self.query_button.setEnabled(bool(query))
        for i, button in enumerate(
            (self.all_button, self.collection_button, self.selected_button, self.query_button)
        ):
            self.scope.addButton(button, i)
            layout.addWidget(button)
        (self.selected_button if selected else self.all_button).setChecked(True)
        layout.addWidget(
            QLabel(self.tr("Replace these entities' names by pseudonyms (comma-separated):"))
        )
        self.pseudonyms = QLineEdit()
        self.pseudonyms.setObjectName("pseudonyms")
        self.pseudonyms.setPlaceholderText(
            self.tr("Entity names, e.g. a witness (their aliases too; see the guide)")
        )
        layout.addWidget(self.pseudonyms)
        self.sensitive = QCheckBox(
            self.tr("Leave out what is flagged sensitive (articles; passages are masked)")
        )
        self.sensitive.setObjectName("withoutSensitive")
        layout.addWidget(self.sensitive)
        layout.addWidget(QLabel(self.tr("Protection (it is always signed with your key):")))
        self.lock = QButtonGroup(self)
        self.plain = QRadioButton(self.tr("Not encrypted"))
        self.with_passphrase = QRadioButton(self.tr("Encrypted with a passphrase"))
        self.with_key = QRadioButton(self.tr("Encrypted for a colleague's key (age1…)"))
        for i, button in enumerate((self.plain, self.with_passphrase, self.with_key)):
            self.lock.addButton(button, i)
            layout.addWidget(button)
        self.with_passphrase.setChecked(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(
            self.tr(
                "Passphrase: at least {0} characters; give it to the receiver another way"
            ).format(MIN_PASSPHRASE)
        )
        self.recipient = QLineEdit()
        self.recipient.setPlaceholderText(
            self.tr("Their age key (age1…): Help → Your identity… shows it")
        )
        layout.addWidget(self.passphrase)
        layout.addWidget(self.recipient)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.lock.idToggled.connect(lambda _id, _on: self._sync())
        self._sync()

    def _sync(self) -> None:
        self.passphrase.setEnabled(self.with_passphrase.isChecked())
        self.recipient.setEnabled(self.with_key.isChecked())

    def choice(self) -> dict[str, Any]:
        scope = {0: "archive", 1: "collection", 2: "selected", 3: "query"}[self.scope.checkedId()]
        return {
            "scope": scope,
            "pseudonymise": [n.strip() for n in self.pseudonyms.text().split(",") if n.strip()],
            "passphrase": self.passphrase.text() if self.with_passphrase.isChecked() else None,
            "recipient": self.recipient.text().strip() if self.with_key.isChecked() else None,
            "without_sensitive": self.sensitive.isChecked(),
        }

    def _accept(self) -> None:
        choice = self.choice()
        if self.with_passphrase.isChecked() and len(choice["passphrase"] or "") < MIN_PASSPHRASE:
            self.problem.setText(
                self.tr("Choose a passphrase of at least {0} characters.").format(MIN_PASSPHRASE)
            )
            return
        if self.with_key.isChecked() and not (choice["recipient"] or "").startswith("age1"):
            self.problem.setText(self.tr("A colleague's key starts with age1."))
            return
        self.chosen.emit(choice)
        self.accept()


class VerdictDialog(QDialog):
    """What verification found, before anything is imported: Import or Cancel."""

    importRequested = Signal()

    def __init__(self, verdict: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bundleVerdict")
        self.setWindowTitle(self.tr("Bundle verified") if verdict.ok else self.tr("Bundle refused"))
        layout = QVBoxLayout(self)
        self.text = QLabel(verdict.line())
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # names come from the bundle
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text)
        if verdict.ok and not verdict.contact and not verdict.own:
            warn = QLabel(
                self.tr(
                    "The key is not one of your contacts: check the fingerprint with the "
                    "sender (by phone or in person) before you rely on it."
                )
            )
            warn.setWordWrap(True)
            layout.addWidget(warn)
        buttons = QDialogButtonBox()
        if verdict.ok:
            self.import_button = buttons.addButton(
                self.tr("Import"), QDialogButtonBox.ButtonRole.AcceptRole
            )
            buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        else:
            buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self._import)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _import(self) -> None:
        self.importRequested.emit()
        self.accept()


class ReportDialog(QDialog):
    """What an import did: counts, then every conflict, orphan and same-name entity."""

    def __init__(
        self, report: Any, parent: QWidget | None = None, conflicts: list[Any] | None = None
    ) -> None:
        """`conflicts`: the report's open conflicts (`archive.conflicts.Conflict`), shown
        side by side with the choices; the other findings are listed below them."""
        from desktop.bundles.conflicts import ConflictsWidget

        super().__init__(parent)
        self.setObjectName("bundleReport")
        self.setWindowTitle(self.tr("Bundle imported"))
        layout = QVBoxLayout(self)
        summary = QLabel(report.line())
        summary.setWordWrap(True)
        summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(summary)
        self.conflicts = ConflictsWidget(conflicts or [])
        shown = set(self.conflicts.boxes)
        if shown:
            self.resize(760, 560)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(self.conflicts)
            layout.addWidget(scroll, 1)
        self.items = QListWidget()
        for c in report.conflicts:
            if c.get("incoming_copy") in shown:
                continue
            if c.get("deleted_here"):
                text = self.tr(
                    "Conflict: you deleted “{0}”, they edited it since — theirs {1}; "
                    "delete it if you do not keep it."
                ).format(c["quote"], c["incoming_copy"][:8])
            elif c.get("deleted_there"):
                text = self.tr(
                    "Conflict: they deleted “{0}”, you edited it since — yours {1} is kept; "
                    "delete it if you agree."
                ).format(c["quote"], c["local"][:8])
            else:
                text = self.tr(
                    "Conflict: “{0}” was edited on both sides — yours {1}, theirs {2}; "
                    "delete the one you do not keep."
                ).format(c["quote"], c["local"][:8], c["incoming_copy"][:8])
            self.items.addItem(text)
        for c in getattr(report, "entity_conflicts", []):
            self.items.addItem(
                self.tr("Entity “{0}” kept as yours ({1}); theirs is named “{2}”").format(
                    c["local_name"], c["reason"], c["incoming_name"]
                )
            )
        for o in report.entity_offers:
            self.items.addItem(
                self.tr(
                    "Same name: “{0}” may be your “{1}” (merge them in the Entities panel)"
                ).format(o["incoming_name"], o["local_name"])
            )
        for ann_id in report.orphaned:
            self.items.addItem(
                self.tr("Orphaned: annotation {0} (its quote is not in your copy)").format(
                    ann_id[:8]
                )
            )
        if self.items.count():
            layout.addWidget(self.items)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
