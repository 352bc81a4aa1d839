"""Warn, once per session and per script, when no installed font covers a script.

Burmese text with no Myanmar font on the system renders as empty boxes and
looks like lost data. `missing_scripts(text)` names the scripts of a text
that no installed font supports (QFontDatabase writing systems);
`FontWarner.check(text)` tells the person once, with what to install.
The reader can call `FontWarner.check` too; the main window checks every
article it shows.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QMessageBox, QWidget

WS = QFontDatabase.WritingSystem

# (first, last code point, script name, writing system, what to install on Debian)
_RANGES: list[tuple[int, int, str, QFontDatabase.WritingSystem, str]] = [
    (0x1000, 0x109F, "Myanmar", WS.Myanmar, "fonts-noto-core (or fonts-sil-padauk)"),
    (0xA9E0, 0xA9FF, "Myanmar", WS.Myanmar, "fonts-noto-core (or fonts-sil-padauk)"),
    (0xAA60, 0xAA7F, "Myanmar", WS.Myanmar, "fonts-noto-core (or fonts-sil-padauk)"),
    (0x0E00, 0x0E7F, "Thai", WS.Thai, "fonts-noto-core (or fonts-thai-tlwg)"),
    (0x0E80, 0x0EFF, "Lao", WS.Lao, "fonts-noto-core"),
    (0x1780, 0x17FF, "Khmer", WS.Khmer, "fonts-noto-core (or fonts-khmeros)"),
    (0x0600, 0x06FF, "Arabic", WS.Arabic, "fonts-noto-core"),
    (0x0590, 0x05FF, "Hebrew", WS.Hebrew, "fonts-noto-core"),
    (0x0900, 0x097F, "Devanagari", WS.Devanagari, "fonts-noto-core"),
    (0x0980, 0x09FF, "Bengali", WS.Bengali, "fonts-noto-core"),
    (0x0B80, 0x0BFF, "Tamil", WS.Tamil, "fonts-noto-core"),
    (0x0D80, 0x0DFF, "Sinhala", WS.Sinhala, "fonts-noto-core"),
    (0x0F00, 0x0FFF, "Tibetan", WS.Tibetan, "fonts-noto-core"),
    (0x10A0, 0x10FF, "Georgian", WS.Georgian, "fonts-noto-core"),
    (0x0400, 0x04FF, "Cyrillic", WS.Cyrillic, "fonts-dejavu-core"),
    (0x0370, 0x03FF, "Greek", WS.Greek, "fonts-dejavu-core"),
    (0x3040, 0x30FF, "Japanese", WS.Japanese, "fonts-noto-cjk"),
    (0x4E00, 0x9FFF, "Chinese", WS.SimplifiedChinese, "fonts-noto-cjk"),
    (0xAC00, 0xD7AF, "Korean", WS.Korean, "fonts-noto-cjk"),
]


def scripts_in(text: str) -> dict[str, tuple[QFontDatabase.WritingSystem, str]]:
    """Scripts (beyond Latin) used in `text`: name -> (writing system, package)."""
    found: dict[str, tuple[QFontDatabase.WritingSystem, str]] = {}
    # One pass over the distinct characters, not the whole text per script.
    for ch in set(text):
        cp = ord(ch)
        if cp < 0x0370:
            continue
        for first, last, name, ws, package in _RANGES:
            if first <= cp <= last:
                found.setdefault(name, (ws, package))
                break
    return found


def has_font_for(ws: QFontDatabase.WritingSystem) -> bool:
    """Whether some installed font family supports writing system `ws`."""
    return bool(QFontDatabase.families(ws))


def missing_scripts(text: str) -> dict[str, str]:
    """Scripts in `text` that no installed font covers: name -> what to install."""
    return {name: pkg for name, (ws, pkg) in scripts_in(text).items() if not has_font_for(ws)}


def warning_text(missing: dict[str, str]) -> str:
    """What the warning says (names the scripts and the packages to install)."""
    names = ", ".join(sorted(missing))
    packages = sorted(set(missing.values()))
    return (
        f"No font on this computer can show {names} text, so parts of this article "
        "appear as empty boxes. The text itself is stored correctly.\n\n"
        f"Install a font that covers it, for example: {'; '.join(packages)}"
        " (on Debian or Ubuntu: sudo apt-get install <package>), then restart Sesame. "
        "`make run` installs them for you where it can."
    )


class FontWarner(QObject):
    """Tells the person once per session about each script it cannot show."""

    warned = Signal(str)  # the message shown

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.already: set[str] = set()
        self.box: QMessageBox | None = None

    def check(self, text: str) -> dict[str, str]:
        """Warn about scripts of `text` with no font (not yet warned about); returns them."""
        missing = {k: v for k, v in missing_scripts(text).items() if k not in self.already}
        if missing:
            self.already.update(missing)
            self.show_warning(missing)
        return missing

    def show_warning(self, missing: dict[str, str]) -> None:
        message = warning_text(missing)
        # Truly non-modal: `open()` is window-modal, and then the main window's shortcuts
        # (Ctrl+Z, A / E / F) did nothing until the warning was closed.
        self.box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Missing font"),
            message,
            QMessageBox.StandardButton.Ok,
            self.parent_widget,
        )
        self.box.setObjectName("fontWarning")
        self.box.setWindowModality(Qt.WindowModality.NonModal)
        self.box.show()
        self.warned.emit(message)
