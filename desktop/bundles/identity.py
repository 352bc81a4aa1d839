"""Help → Your identity and contacts…: who you are, and the colleagues whose keys you know.

The window's side of `sesame whoami` and `sesame contacts`: the name, the short
fingerprint to read out over the phone, the public key colleagues add as a
contact, the age key they encrypt bundles for (each with a Copy button), and
the known contacts (add with the fingerprint shown for reading back, remove).
Everything goes through `archive.keys` (the same functions the CLI uses); the
keys are read on a worker thread, as importing the cryptography libraries
stalled the window (desktop/bundles/controller.py).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop import dialogs

Index = QModelIndex | QPersistentModelIndex


def who_am_i() -> dict[str, str]:
    """The local identity as `sesame whoami --json` gives it (worker side: makes the keys
    on first use)."""
    from archive import identity, keys

    me = identity.local_identity()
    public_key = keys.public_key_text()
    return {
        "id": me.id,
        "display_name": me.display_name,
        "public_key": public_key,
        "fingerprint": keys.fingerprint(public_key),
        "age_recipient": keys.age_recipient(),
    }


class ContactsModel(QAbstractTableModel):
    """The known contacts: name and fingerprint (the public key in the tooltip)."""

    HEADERS = ("Name", "Fingerprint")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def reload(self) -> None:
        from archive import keys

        self.beginResetModel()
        self.rows = keys.contacts()
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        contact = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return contact.name if index.column() == 0 else contact.fingerprint
        if role == Qt.ItemDataRole.ToolTipRole:
            return contact.public_key
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.HEADERS)
        ):
            return self.tr(self.HEADERS[section])
        return None


class IdentityDialog(QDialog):
    """Your name, fingerprint and keys with Copy buttons; your contacts (add, remove)."""

    # The contacts changed (for tests).
    contactsChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("identityDialog")
        self.setWindowTitle(self.tr("Your identity and contacts"))
        self.resize(760, 520)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        layout = QVBoxLayout(self)

        me = QGroupBox(self.tr("You"))
        form = QFormLayout(me)
        self.values: dict[str, QLabel] = {}
        self.copy_buttons: dict[str, QPushButton] = {}
        for key, label, why in (
            ("display_name", "Name", ""),
            ("fingerprint", "Fingerprint", "read it out to colleagues who check your bundles"),
            ("public_key", "Public key", "colleagues add it as a contact"),
            ("age_recipient", "Age key", "colleagues encrypt bundles for you with it"),
        ):
            value = QLabel(self.tr("(reading…)"))
            value.setObjectName(key)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if key != "display_name":
                value.setFont(mono)
            self.values[key] = value
            row = QHBoxLayout()
            row.addWidget(value, 1)
            if key != "display_name":
                button = QPushButton(self.tr("Copy"))
                button.setObjectName(f"copy_{key}")
                button.setToolTip(self.tr("Copy: {0}").format(self.tr(why)))
                button.setEnabled(False)
                button.clicked.connect(lambda _=False, k=key: self.copy(k))
                self.copy_buttons[key] = button
                row.addWidget(button)
            form.addRow(self.tr(label), row)
        layout.addWidget(me)

        group = QGroupBox(self.tr("Contacts: colleagues whose keys you have checked"))
        box = QVBoxLayout(group)
        self.model = ContactsModel(self)
        self.table = QTableView()
        self.table.setObjectName("contacts")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        box.addWidget(self.table)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setObjectName("removeContact")
        self.remove_button.clicked.connect(self.remove_selected)
        box.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignRight)

        add = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("contactName")
        self.name_edit.setPlaceholderText(self.tr("Their name"))
        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("contactKey")
        self.key_edit.setFont(mono)
        self.key_edit.setPlaceholderText(
            self.tr("Their public key (44 characters; they see it here or with sesame whoami)")
        )
        self.check = QLabel()
        self.check.setObjectName("contactCheck")
        self.check.setWordWrap(True)
        self.check.setTextFormat(Qt.TextFormat.PlainText)
        self.add_button = QPushButton(self.tr("Add contact"))
        self.add_button.setObjectName("addContact")
        self.add_button.clicked.connect(self.add_contact)
        add.addRow(self.tr("Name"), self.name_edit)
        add.addRow(self.tr("Key"), self.key_edit)
        add.addRow("", self.check)
        add.addRow("", self.add_button)
        box.addLayout(add)
        layout.addWidget(group, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self.me: dict[str, str] = {}
        self.name_edit.textChanged.connect(self._checked)
        self.key_edit.textChanged.connect(self._checked)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._sync())
        self.model.reload()
        self._checked()

    def show_identity(self, me: dict[str, str]) -> None:
        """Fill in the local identity (read on a worker thread: `who_am_i`)."""
        self.me = me
        for key, label in self.values.items():
            label.setText(me[key])
        for button in self.copy_buttons.values():
            button.setEnabled(True)

    def copy(self, key: str) -> None:
        """Put one of your values on the clipboard."""
        QGuiApplication.clipboard().setText(self.me.get(key, ""))

    def _sync(self) -> None:
        self.remove_button.setEnabled(self.table.selectionModel().hasSelection())

    def _checked(self) -> Any:
        """Check what is typed: the fingerprint to read back to them, or what is wrong."""
        from archive import keys
        from archive.errors import InvalidInput

        self._sync()
        name = " ".join(self.name_edit.text().split())
        text = self.key_edit.text().strip()
        self.add_button.setEnabled(False)
        if not text:
            self.check.setText(
                self.tr("Check the fingerprint shown here with them (by phone or in person).")
            )
            return None
        try:
            keys.parse_public_key(text)
        except InvalidInput as exc:
            self.check.setText(str(exc))
            return None
        found = self.tr("Fingerprint {0}: read it back to them before you add it.").format(
            keys.fingerprint(text)
        )
        self.check.setText(found if name else found + " " + self.tr("Give them a name."))
        self.add_button.setEnabled(bool(name))
        return text

    def add_contact(self) -> None:
        """Add what is typed; replacing a contact's key only after asking."""
        from archive import keys
        from archive.errors import InvalidInput

        key = self._checked()
        name = " ".join(self.name_edit.text().split())
        if key is None or not name:
            return
        old = next((c for c in keys.contacts() if c.name == name), None)
        replace = False
        if old is not None and old.public_key != key:
            replace = dialogs.confirm(
                self,
                self.tr("Replace a contact's key?"),
                self.tr(
                    "{0} is already a contact with another key (fingerprint {1}). Replace it "
                    "with the key of fingerprint {2}? Do so only if they told you their key "
                    "changed."
                ).format(name, old.fingerprint, keys.fingerprint(key)),
            )
            if not replace:
                return
        try:
            contact = keys.add_contact(name, key, replace=replace)
        except InvalidInput as exc:
            self.check.setText(str(exc))
            return
        self.model.reload()
        self.name_edit.clear()
        self.key_edit.clear()
        self.check.setText(
            self.tr("Added {0} (fingerprint {1}).").format(contact.name, contact.fingerprint)
        )
        self.contactsChanged.emit()

    def remove_selected(self) -> None:
        """Forget the selected contact, after asking."""
        from archive import keys

        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        contact = self.model.rows[rows[0].row()]
        if not dialogs.confirm(
            self,
            self.tr("Remove contact?"),
            self.tr(
                "Forget {0} (fingerprint {1})? Their bundles will then be from an unknown key."
            ).format(contact.name, contact.fingerprint),
        ):
            return
        keys.remove_contact(contact.name)
        self.model.reload()
        self._sync()
        self.contactsChanged.emit()
