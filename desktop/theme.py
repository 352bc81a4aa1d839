"""Light and dark themes that follow the system (Qt 6.5+ colour scheme).

The Fusion style draws the same on every platform; we give it a light or a
dark palette depending on `QStyleHints.colorScheme()` (or the THEME setting)
and switch when the desktop switches. In the dark palette Fusion outlines a
check box in the window colour made darker, nearly invisible on a dark view
(the search facets were); `DARK_INDICATORS` draws check boxes, in views too,
with a light border and a filled box when checked.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication


def system_is_dark() -> bool:
    """Whether the desktop asks for a dark colour scheme."""
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def dark_palette() -> QPalette:
    """A calm dark palette with enough contrast for long reading."""
    p = QPalette()
    base, window, text = QColor("#1e1f22"), QColor("#2b2d30"), QColor("#dfe1e5")
    disabled = QColor("#7f8389")
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, QColor("#26282b"))
    p.setColor(QPalette.ColorRole.ToolTipBase, window)
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.PlaceholderText, disabled)
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, window)
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.BrightText, QColor("#ff6b6b"))
    p.setColor(QPalette.ColorRole.Link, QColor("#6ea8fe"))
    p.setColor(QPalette.ColorRole.Highlight, QColor("#3d6fb6"))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


# Check boxes (and checkable items of views: the search facets) in the dark theme: a
# light border on the dark base (contrast above 3:1, WCAG's bar for controls), and a
# blue fill when checked.
DARK_INDICATORS = """
QCheckBox::indicator, QAbstractItemView::indicator, QGroupBox::indicator {
    width: 13px; height: 13px; border: 1px solid #a4a9b0; border-radius: 3px;
    background: #1e1f22;
}
QCheckBox::indicator:hover, QAbstractItemView::indicator:hover { border-color: #dfe1e5; }
QCheckBox::indicator:checked, QAbstractItemView::indicator:checked,
QGroupBox::indicator:checked {
    background: #3d6fb6; border-color: #9cc0f5;
}
QCheckBox::indicator:indeterminate, QAbstractItemView::indicator:indeterminate {
    background: #2d4a73; border-color: #9cc0f5;
}
QCheckBox::indicator:disabled, QAbstractItemView::indicator:disabled {
    border-color: #5c6066; background: #26282b;
}
"""


def light_palette() -> QPalette:
    """Fusion's own light palette."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app.style().standardPalette()


def wants_dark(preference: str) -> bool:
    """Whether `preference` ("system", "light", "dark") means a dark window."""
    if preference == "dark":
        return True
    if preference == "light":
        return False
    return system_is_dark()


def apply_theme(app: QApplication, preference: str = "system") -> bool:
    """Style `app` for `preference`; returns True when the dark palette is used."""
    app.setStyle("Fusion")
    dark = wants_dark(preference)
    app.setPalette(dark_palette() if dark else light_palette())
    app.setStyleSheet(DARK_INDICATORS if dark else "")
    return dark


def follow_system(app: QApplication, preference_getter: Callable[[], str]) -> None:
    """Re-apply the theme whenever the desktop's colour scheme changes."""
    hints = QGuiApplication.styleHints()
    hints.colorSchemeChanged.connect(lambda _scheme: apply_theme(app, preference_getter()))
