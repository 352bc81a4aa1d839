"""Every setting of the desktop app, declared once with its default.

Settings live in an INI file in the config folder (`archive.paths.config_dir()`,
overridable with SESAME_CONFIG_DIR), so tests never touch a person's real
settings. Use `Settings().get(WINDOW_GEOMETRY)`; never spell a key elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from archive.paths import config_dir

FILE_NAME = "desktop.ini"


@dataclass(frozen=True)
class Setting:
    """One setting: where it is stored, its type and its default."""

    key: str
    default: Any
    kind: type


WINDOW_GEOMETRY = Setting("window/geometry", QByteArray(), QByteArray)
WINDOW_STATE = Setting("window/state", QByteArray(), QByteArray)
# "system" follows the desktop's light or dark scheme; "light" / "dark" force one.
THEME = Setting("appearance/theme", "system", str)
LIBRARY_SORT_COLUMN = Setting("library/sort_column", 2, int)
LIBRARY_SORT_DESCENDING = Setting("library/sort_descending", True, bool)
SEARCH_LIMIT = Setting("search/limit", 200, int)
SEARCH_SORT = Setting("search/sort", "relevance", str)
LAST_IMPORT_DIR = Setting("import/last_dir", "", str)
# Tesseract languages for scans and images ("eng+mya"); empty: the archive's own.
OCR_LANGUAGES = Setting("import/ocr_languages", "", str)
FIRST_RUN_DONE = Setting("first_run/done", False, bool)
# File → Open recent: archive folders, most recent first, as a JSON list.
RECENT_ARCHIVES = Setting("archives/recent", "[]", str)
# A selection to tag widens to whole words (syllables in Burmese, grapheme
# clusters in Thai): a drag one pixel short of "police" still tags "police".
SNAP_SELECTION = Setting("tagging/snap_selection", True, bool)

ALL = [
    WINDOW_GEOMETRY,
    WINDOW_STATE,
    THEME,
    LIBRARY_SORT_COLUMN,
    LIBRARY_SORT_DESCENDING,
    SEARCH_LIMIT,
    SEARCH_SORT,
    LAST_IMPORT_DIR,
    OCR_LANGUAGES,
    FIRST_RUN_DONE,
    RECENT_ARCHIVES,
    SNAP_SELECTION,
]


def settings_path() -> Path:
    """The INI file holding the desktop settings."""
    return config_dir() / FILE_NAME


class Settings:
    """Typed access to the settings file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or settings_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)

    def get(self, setting: Setting) -> Any:
        """The stored value, or the default when missing or unreadable."""
        value = self._qs.value(setting.key, None)
        if value is None:
            return setting.default
        try:
            if setting.kind is bool:
                # INI files store booleans as the strings "true" / "false".
                if isinstance(value, str):
                    return value.lower() in {"true", "1", "yes"}
                return bool(value)
            if setting.kind is QByteArray:
                if isinstance(value, QByteArray):
                    return value
                return QByteArray(value if isinstance(value, bytes) else str(value).encode())
            return setting.kind(value)
        except (TypeError, ValueError):
            return setting.default

    def set(self, setting: Setting, value: Any) -> None:
        """Store a value (written to disk by `sync()` or when Qt sees fit)."""
        self._qs.setValue(setting.key, value)

    def sync(self) -> None:
        """Write pending changes to disk now."""
        self._qs.sync()
