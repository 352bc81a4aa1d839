"""Small questions and messages, all in one place.

Every blocking question the app asks goes through these functions, so tests
replace them (monkeypatch) and no modal dialog can ever hang a test run.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget


def error(parent: QWidget | None, title: str, message: str) -> None:
    """Tell the person something went wrong and what to do."""
    QMessageBox.warning(parent, title, message)


def info(parent: QWidget | None, title: str, message: str) -> None:
    QMessageBox.information(parent, title, message)


def confirm(parent: QWidget | None, title: str, question: str) -> bool:
    """Ask a yes/no question; No is the default."""
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """A line of text, or None when cancelled or empty."""
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    value = value.strip()
    return value if ok and value else None


def open_files(parent: QWidget | None, title: str, directory: str, filters: str) -> list[Path]:
    paths, _ = QFileDialog.getOpenFileNames(parent, title, directory, filters)
    return [Path(p) for p in paths]


def open_folder(parent: QWidget | None, title: str, directory: str) -> Path | None:
    path = QFileDialog.getExistingDirectory(parent, title, directory)
    return Path(path) if path else None


def ask_secret(parent: QWidget | None, title: str, label: str) -> str | None:
    """A passphrase (typed hidden), or None when cancelled or empty."""
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Password, "")
    return value if ok and value else None


def save_file(parent: QWidget | None, title: str, path: str, filters: str) -> Path | None:
    """Where to write a file, or None when cancelled."""
    chosen, _ = QFileDialog.getSaveFileName(parent, title, path, filters)
    return Path(chosen) if chosen else None
