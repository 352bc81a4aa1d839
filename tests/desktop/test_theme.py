"""The dark theme: check boxes, in views too (the search facets), stand out from what is
behind them (contrast of at least 3:1, WCAG's bar for controls)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QCheckBox, QTreeWidget, QTreeWidgetItem

from desktop.theme import apply_theme


def _luminance(colour: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def _contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _best_contrast(image: QImage, background: QColor) -> float:
    return max(
        _contrast(image.pixelColor(QPoint(x, y)), background)
        for x in range(image.width())
        for y in range(image.height())
    )


def test_dark_check_boxes_are_visible(qtbot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        apply_theme(app, "dark")
        box = QCheckBox("police")
        qtbot.addWidget(box)
        box.resize(120, 24)
        box.show()
        image = box.grab().toImage()
        window = app.palette().color(app.palette().ColorRole.Window)
        # The indicator alone (left of the label), unchecked: its border must show.
        indicator = image.copy(0, 0, 20, image.height())
        assert _best_contrast(indicator, window) >= 3

        tree = QTreeWidget()
        qtbot.addWidget(tree)
        tree.resize(200, 80)
        item = QTreeWidgetItem(["Irrawaddy", "3"])
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(0, Qt.CheckState.Unchecked)
        tree.addTopLevelItem(item)
        tree.show()
        rect = tree.visualItemRect(item)
        shot = tree.viewport().grab(rect.adjusted(0, 0, -rect.width() + 22, 0)).toImage()
        base = app.palette().color(app.palette().ColorRole.Base)
        assert _best_contrast(shot, base) >= 3
    finally:
        apply_theme(app, "light")
    assert app.styleSheet() == ""
